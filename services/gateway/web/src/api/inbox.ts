// The live inbox: the header's unread count and new messages arrive over the notification stream
// (server-sent events, resumed with Last-Event-ID); while the stream is down the count is polled.
import { ref } from 'vue'
import { api } from './http'
import { backoff, parseSse } from './sse'
import { refreshSession, session } from '@/auth/session'

export interface Notification {
  id: string
  kind: string
  title: string
  body: string
  subject: string | null
  org_code: string
  urgent?: boolean
  created_at: string
  read_at: string | null
}

export const unread = ref(0)
export const live = ref(false)
type Listener = (n: Notification) => void
const listeners = new Set<Listener>()

/** Calls `fn` for every message that arrives live; returns the unsubscribe. */
export function onNotification(fn: Listener): () => void {
  listeners.add(fn)
  return () => listeners.delete(fn)
}

export async function refreshUnread(): Promise<void> {
  try {
    unread.value = (await api.get<{ unread: number }>('/notifications/unread-count')).unread
  } catch {
    /* the header keeps the last count */
  }
}

let controller: AbortController | undefined
let poll: ReturnType<typeof setInterval> | undefined
let lastId: string | undefined

async function readStream(signal: AbortSignal): Promise<void> {
  const headers: Record<string, string> = { Accept: 'text/event-stream' }
  if (session.accessToken) headers.Authorization = `Bearer ${session.accessToken}`
  if (lastId) headers['Last-Event-ID'] = lastId
  const res = await fetch('/api/v1/notifications/stream', { headers, signal, cache: 'no-store' })
  if (res.status === 401 && (await refreshSession())) throw new Error('retry')
  if (!res.ok || !res.body) throw new Error(`stream ${res.status}`)
  live.value = true
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    const { events, rest } = parseSse(buffer + value)
    buffer = rest
    for (const e of events) {
      if (e.id) lastId = e.id
      const data = JSON.parse(e.data)
      if (e.event === 'unread') unread.value = data.unread
      else if (e.event === 'notification') listeners.forEach((fn) => fn(data as Notification))
    }
  }
}

/** Opens the stream and keeps it open (reconnecting with back-off); polls every 30 s while it is down. */
export function startInbox(): void {
  stopInbox()
  const ctrl = new AbortController()
  controller = ctrl
  poll = setInterval(() => void (!live.value && refreshUnread()), 30_000)
  void (async () => {
    let attempt = 0
    while (!ctrl.signal.aborted) {
      try {
        await readStream(ctrl.signal)
        attempt = 0
      } catch {
        if (ctrl.signal.aborted) return
        attempt++
      }
      live.value = false
      if (ctrl.signal.aborted) return
      void refreshUnread()
      await new Promise((r) => setTimeout(r, backoff(attempt)))
    }
  })()
}

export function stopInbox(): void {
  controller?.abort()
  controller = undefined
  if (poll) clearInterval(poll)
  poll = undefined
  live.value = false
}
