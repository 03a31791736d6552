// The one HTTP client: bearer token, refresh on 401 once, problem+json → ApiError.
import { ApiError, type ProblemBody } from './problem'
import { session, refreshSession, expireSession } from '@/auth/session'
import { tracked } from '@/utils/activity'

export type Query = Record<string, string | number | boolean | undefined | null | (string | number)[]>

export function buildQuery(q?: Query): string {
  if (!q) return ''
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue
    if (Array.isArray(v)) v.forEach((x) => params.append(k, String(x)))
    else params.append(k, String(v))
  }
  const s = params.toString()
  return s ? `?${s}` : ''
}

interface Options {
  method?: string
  query?: Query
  json?: unknown
  form?: FormData | URLSearchParams
  auth?: boolean
  raw?: boolean
}

async function send(path: string, opts: Options): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' }
  if (opts.auth !== false && session.accessToken) headers.Authorization = `Bearer ${session.accessToken}`
  let body: BodyInit | undefined
  if (opts.json !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.json)
  } else if (opts.form) body = opts.form
  try {
    return await tracked(() =>
      fetch(`/api/v1${path}${buildQuery(opts.query)}`, {
        method: opts.method ?? (body ? 'POST' : 'GET'),
        headers,
        body,
      }),
    )
  } catch {
    throw new ApiError(0, { title: '无法连接服务器，请检查网络', status: 0 })
  }
}

export async function request<T = unknown>(path: string, opts: Options = {}): Promise<T> {
  let res = await send(path, opts)
  if (res.status === 401 && opts.auth !== false && session.refreshToken) {
    if (await refreshSession()) res = await send(path, opts)
  }
  if (res.status === 401 && opts.auth !== false) expireSession()
  if (!res.ok) {
    let problem: ProblemBody = { status: res.status }
    try {
      problem = await res.json()
    } catch {
      /* not json */
    }
    throw new ApiError(res.status, problem)
  }
  if (opts.raw) return res as unknown as T
  if (res.status === 204) return undefined as T
  return (await res.json()) as T
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>(path, { query }),
  post: <T>(path: string, json?: unknown) => request<T>(path, { method: 'POST', json: json ?? {} }),
  put: <T>(path: string, json: unknown) => request<T>(path, { method: 'PUT', json }),
  patch: <T>(path: string, json: unknown) => request<T>(path, { method: 'PATCH', json }),
}

/** Download a file the API answers (export, template) under the given name. */
export async function download(path: string, filename: string, query?: Query): Promise<void> {
  const res = await request<Response>(path, { query, raw: true })
  const blob = await res.blob()
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
