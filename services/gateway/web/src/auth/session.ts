// Who is signed in: tokens (localStorage, so several tabs share a sign-in), the identity, refresh and expiry.
import { reactive } from 'vue'
import { api } from '@/api/http'

export interface Identity {
  person_id: string
  username: string
  display_name: string
  org_code: string
  roles: string[]
}

interface TokenOut {
  access_token: string
  expires_in: number
  refresh_token?: string | null
}

const KEY = 'luoshi.session'

export const session = reactive({
  accessToken: '' as string,
  refreshToken: '' as string,
  expiresAt: 0,
  me: null as Identity | null,
  orgName: '' as string,
  expired: false,
})

function save(): void {
  const { accessToken, refreshToken, expiresAt } = session
  if (accessToken) localStorage.setItem(KEY, JSON.stringify({ accessToken, refreshToken, expiresAt }))
  else localStorage.removeItem(KEY)
}

export function loadSession(): void {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? 'null')
    if (raw?.accessToken) Object.assign(session, raw)
  } catch {
    localStorage.removeItem(KEY)
  }
}

let timer: ReturnType<typeof setTimeout> | undefined

function accept(t: TokenOut): void {
  session.accessToken = t.access_token
  session.refreshToken = t.refresh_token ?? session.refreshToken
  session.expiresAt = Date.now() + t.expires_in * 1000
  session.expired = false
  save()
  schedule()
}

/** Refresh a minute before the access token runs out, so a person at work is not thrown out. */
function schedule(): void {
  if (timer) clearTimeout(timer)
  if (!session.refreshToken || !session.expiresAt) return
  const wait = Math.max(5_000, session.expiresAt - Date.now() - 60_000)
  timer = setTimeout(() => void refreshSession(), Math.min(wait, 2 ** 31 - 1))
}

export async function signIn(username: string, password: string): Promise<void> {
  const res = await fetch('/api/v1/auth/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({ username, password }),
  })
  const body = await res.json().catch(() => ({}))
  if (!res.ok) {
    const { ApiError } = await import('@/api/problem')
    throw new ApiError(res.status, { ...body, retryAfter: res.headers.get('Retry-After') })
  }
  accept(body as TokenOut)
  await loadMe()
}

let refreshing: Promise<boolean> | null = null

/** One refresh at a time (a refresh token is single-use: two in parallel would revoke the family). */
export function refreshSession(): Promise<boolean> {
  if (!session.refreshToken) return Promise.resolve(false)
  refreshing ??= (async () => {
    try {
      const res = await fetch('/api/v1/auth/refresh', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ refresh_token: session.refreshToken }),
      })
      if (!res.ok) return false
      accept(await res.json())
      return true
    } catch {
      return false
    } finally {
      refreshing = null
    }
  })()
  return refreshing
}

export async function loadMe(): Promise<Identity | null> {
  if (!session.accessToken) return null
  session.me = await api.get<Identity>('/auth/me')
  // The organisation's name fills the header when it comes; the page does not wait for it.
  const code = session.me.org_code
  session.orgName = code
  void api.get<{ name: string }>(`/orgs/${code}`).then(
    (org) => (session.orgName = org.name),
    () => undefined,
  )
  schedule()
  return session.me
}

function clear(): void {
  if (timer) clearTimeout(timer)
  session.accessToken = ''
  session.refreshToken = ''
  session.expiresAt = 0
  session.me = null
  save()
}

export function expireSession(): void {
  if (!session.accessToken) return
  clear()
  session.expired = true
}

export async function signOut(): Promise<void> {
  if (session.accessToken) {
    await fetch('/api/v1/auth/logout', {
      method: 'POST',
      headers: { Authorization: `Bearer ${session.accessToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh_token: session.refreshToken || null }),
    }).catch(() => undefined)
  }
  clear()
}

export function hasRole(...roles: string[]): boolean {
  return !!session.me?.roles.some((r) => roles.includes(r))
}
