// Turning the dashboard's figures into lights and chart series (pure, tested with Vitest).

export interface ChildFigures {
  org_code: string
  name: string
  tasks: number
  closed: number
  closed_on_time: number
  on_time_rate: number | null
  overdue: number
  lagging: number
  points?: number | null
  rank?: number | null
}

export interface Dashboard {
  org_code: string
  name: string
  by_state: Record<string, number>
  overdue: number
  lagging: number
  children: ChildFigures[]
}

export const OPEN_STATES = ['assigned', 'accepted', 'returned', 'completed']

export interface Lights {
  open: number
  red: number
  yellow: number
  green: number
  done: number
  total: number
}

/** Red = overdue, yellow = lagging (not overdue), green = the other open tasks. */
export function lights(d: Pick<Dashboard, 'by_state' | 'overdue' | 'lagging'>): Lights {
  const count = (states: string[]) => states.reduce((n, s) => n + (d.by_state[s] ?? 0), 0)
  const open = count(OPEN_STATES)
  const done = count(['closed', 'archived'])
  const total = Object.values(d.by_state).reduce((a, b) => a + b, 0)
  const red = d.overdue
  const yellow = d.lagging
  return { open, red, yellow, green: Math.max(0, open - red - yellow), done, total }
}

/** The children worth charting: those with tasks first, by on-time rate; at most `max`. */
export function chartedChildren(children: ChildFigures[], max = 20): ChildFigures[] {
  return [...children]
    .filter((c) => c.tasks > 0)
    .sort((a, b) => (b.on_time_rate ?? -1) - (a.on_time_rate ?? -1) || b.tasks - a.tasks)
    .slice(0, max)
}

export function shortName(name: string): string {
  return name.replace(/人民政府$/, '').replace(/^贵州省/, '')
}
