// Saved task-list views (筛选方案): a name and the list's query, kept per person in localStorage.

export type ViewQuery = Record<string, string | string[]>
export interface SavedView {
  name: string
  query: ViewQuery
}

const key = (personId: string) => `luoshi.views.${personId}`

export function loadViews(personId: string, store: Pick<Storage, 'getItem'> = localStorage): SavedView[] {
  try {
    const list = JSON.parse(store.getItem(key(personId)) ?? '[]')
    return Array.isArray(list) ? list.filter((v) => v && typeof v.name === 'string') : []
  } catch {
    return []
  }
}

/** Adds or replaces (same name) a view; the query loses paging and empty values. */
export function saveView(
  personId: string,
  name: string,
  query: ViewQuery,
  store: Pick<Storage, 'getItem' | 'setItem'> = localStorage,
): SavedView[] {
  const clean: ViewQuery = {}
  for (const [k, v] of Object.entries(query)) {
    if (k === 'page' || k === 'size') continue
    if (Array.isArray(v) ? v.length : v) clean[k] = v
  }
  const views = loadViews(personId, store).filter((v) => v.name !== name)
  views.push({ name: name.trim(), query: clean })
  store.setItem(key(personId), JSON.stringify(views))
  return views
}

export function deleteView(personId: string, name: string, store: Pick<Storage, 'getItem' | 'setItem'> = localStorage): SavedView[] {
  const views = loadViews(personId, store).filter((v) => v.name !== name)
  store.setItem(key(personId), JSON.stringify(views))
  return views
}
