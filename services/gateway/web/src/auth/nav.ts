// The side menu: which entries a person sees follows their roles (docs/permissions.md).
// Entries whose API is not there yet stay visible but disabled (督查, 积分) — no fake pages.

export interface NavItem {
  key: string // i18n key under nav.
  path?: string
  icon?: string
  roles?: string[] // any of these; undefined = everyone signed in
  disabled?: boolean
  children?: NavItem[]
}

export const ISSUERS = ['principal', 'deputy', 'office', 'admin']
export const ACTORS = ['principal', 'deputy', 'handler', 'office', 'admin']

export const NAV: NavItem[] = [
  { key: 'dashboard', path: '/dashboard', icon: 'DataBoard' },
  {
    key: 'tasks',
    icon: 'List',
    children: [
      { key: 'taskList', path: '/tasks' },
      { key: 'taskCreate', path: '/tasks/new', roles: ISSUERS },
      { key: 'taskImport', path: '/tasks/import', roles: ISSUERS },
    ],
  },
  {
    key: 'plan',
    icon: 'Calendar',
    children: [
      { key: 'gantt', path: '/plan/gantt' },
      { key: 'letters', path: '/plan/letters' },
      { key: 'meetings', path: '/plan/meetings' },
      { key: 'documents', path: '/plan/documents' },
      { key: 'ledger', path: '/plan/ledger' },
    ],
  },
  {
    key: 'supervision',
    icon: 'View',
    children: [
      { key: 'inspections', path: '/supervision/inspections' },
      { key: 'urges', path: '/supervision/urges', roles: ACTORS },
      { key: 'rectifications', path: '/supervision/rectifications', roles: ACTORS },
      { key: 'clues', path: '/supervision/clues', roles: ['office', 'inspector', 'principal', 'deputy'] },
      { key: 'notices', path: '/supervision/notices', roles: ['office', 'principal', 'deputy'] },
    ],
  },
  {
    key: 'scoring',
    icon: 'Trophy',
    children: [
      { key: 'standings', path: '/scoring/standings' },
      { key: 'rankings', path: '/scoring/rankings', roles: ['principal', 'deputy', 'office', 'admin'] },
      { key: 'negative', path: '/scoring/negative' },
      { key: 'decisions', path: '/scoring/decisions', roles: ACTORS },
    ],
  },
  { key: 'inbox', path: '/inbox', icon: 'Bell' },
  {
    key: 'admin',
    icon: 'Setting',
    roles: ['admin', 'office'],
    children: [
      { key: 'orgs', path: '/admin/orgs', roles: ['admin'] },
      { key: 'people', path: '/admin/people', roles: ['admin', 'office'] },
      { key: 'calendar', path: '/admin/calendar', roles: ['admin'] },
      { key: 'rules', path: '/admin/rules', roles: ['admin'] },
      { key: 'scoringRules', path: '/admin/scoring-rules', roles: ['admin', 'office'] },
      { key: 'clients', path: '/admin/clients', roles: ['admin'] },
      { key: 'webhooks', path: '/admin/webhooks', roles: ['admin'] },
      { key: 'audit', path: '/admin/audit', roles: ['admin'] },
    ],
  },
]

function allowed(item: NavItem, roles: string[]): boolean {
  return !item.roles || item.roles.some((r) => roles.includes(r))
}

/** The menu for these roles: entries they may not use are dropped, and so are groups left empty. */
export function menuFor(roles: string[], items: NavItem[] = NAV): NavItem[] {
  const out: NavItem[] = []
  for (const item of items) {
    if (!allowed(item, roles)) continue
    if (item.children) {
      const children = menuFor(roles, item.children)
      if (children.length) out.push({ ...item, children })
    } else out.push(item)
  }
  return out
}

/** May these roles open this path? (the router's guard; the API enforces it again) */
export function pathAllowed(path: string, roles: string[]): boolean {
  const walk = (items: NavItem[]): boolean | undefined => {
    for (const item of items) {
      if (item.path === path) return allowed(item, roles)
      if (item.children) {
        const found = walk(item.children)
        if (found !== undefined) return allowed(item, roles) && found
      }
    }
    return undefined
  }
  return walk(NAV) ?? true
}
