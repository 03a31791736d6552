// The unread count in the header: polled (every 30 s, and at once when the tab comes back).
import { ref } from 'vue'
import { api } from './http'

export const unread = ref(0)
let timer: ReturnType<typeof setInterval> | undefined

export async function refreshUnread(): Promise<void> {
  try {
    const page = await api.get<{ unread: number }>('/notifications', { limit: 1 })
    unread.value = page.unread
  } catch {
    /* the header keeps the last count */
  }
}

function onVisible(): void {
  if (document.visibilityState === 'visible') void refreshUnread()
}

export function startUnreadPolling(intervalMs = 30_000): void {
  stopUnreadPolling()
  void refreshUnread()
  timer = setInterval(() => void refreshUnread(), intervalMs)
  document.addEventListener('visibilitychange', onVisible)
}

export function stopUnreadPolling(): void {
  if (timer) clearInterval(timer)
  timer = undefined
  document.removeEventListener('visibilitychange', onVisible)
}
