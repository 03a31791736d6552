import { reactive } from 'vue'
import { api } from './http'

export interface Org {
  code: string
  name: string
  kind: string
  level: string
  parent_code: string | null
  active?: boolean
}

const cache = new Map<string, Org>()
// Reactive, so a table re-renders when a name arrives.
const names = reactive(new Map<string, string>())

export async function getOrg(code: string): Promise<Org> {
  const hit = cache.get(code)
  if (hit) return hit
  const org = await api.get<Org>(`/orgs/${code}`)
  cache.set(code, org)
  names.set(code, org.name)
  return org
}

export async function children(code: string): Promise<Org[]> {
  const list = (await api.get<{ items: Org[] }>(`/orgs/${code}/children`, { limit: 200 })).items
  list.forEach((o) => {
    cache.set(o.code, o)
    names.set(o.code, o.name)
  })
  return list
}

/** A unit's name if known (else its code); `resolveNames` fills the cache for a list. */
export function orgName(code: string | null | undefined): string {
  if (!code) return '—'
  return names.get(code) ?? code
}

export async function resolveNames(codes: (string | null | undefined)[]): Promise<void> {
  const missing = [...new Set(codes.filter((c): c is string => !!c && !names.has(c)))]
  await Promise.all(
    missing.map((c) =>
      getOrg(c).catch(() => {
        names.set(c, c)
      }),
    ),
  )
}

export function isLeaf(org: Org): boolean {
  return org.kind === 'department' || org.level === 'township'
}
