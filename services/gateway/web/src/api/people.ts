import { reactive } from 'vue'
import { api } from './http'

export interface Person {
  id: string
  username: string | null
  display_name: string
  org_code: string
  roles: string[]
  active: boolean
}

// Reactive, so a table re-renders when a name arrives.
const names = reactive(new Map<string, string>())

export async function peopleOf(org: string): Promise<Person[]> {
  const list = (await api.get<{ items: Person[] }>('/people', { org, limit: 200 })).items
  list.forEach((p) => names.set(p.id, p.display_name))
  return list
}

export function personName(id: string | null | undefined): string {
  if (!id) return '—'
  return names.get(id) ?? id
}

export async function resolvePeople(ids: (string | null | undefined)[]): Promise<void> {
  const missing = [...new Set(ids.filter((i): i is string => !!i && !names.has(i)))]
  await Promise.all(
    missing.map((id) =>
      api
        .get<Person>(`/people/${id}`)
        .then((p) => names.set(id, p.display_name))
        .catch(() => names.set(id, id)),
    ),
  )
}
