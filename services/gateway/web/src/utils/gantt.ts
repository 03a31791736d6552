// Plan bars (the API's Gantt data) → frappe-gantt tasks (pure; tested with Vitest).

export interface GanttBar {
  id: string
  kind: 'plan' | 'milestone'
  name: string
  start: string
  end: string
  progress: number
  owner_person_id?: string | null
  owner_org?: string | null
  done: boolean
  late: boolean
}

export interface GanttTask {
  id: string
  name: string
  start: string
  end: string
  progress: number
  custom_class: string
  description: string
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

export function barClass(bar: Pick<GanttBar, 'kind' | 'done' | 'late'>): string {
  const parts = [bar.kind === 'milestone' ? 'bar-milestone' : 'bar-plan']
  if (bar.done) parts.push('bar-done')
  else if (bar.late) parts.push('bar-late')
  return parts.join(' ')
}

export function toGanttTasks(bars: GanttBar[]): GanttTask[] {
  return bars.map((b) => ({
    id: b.id.replace(/[^A-Za-z0-9_-]/g, '_'),
    name: (b.kind === 'milestone' ? '◆ ' : '') + b.name,
    start: b.start,
    end: b.end < b.start ? b.start : b.end,
    progress: b.kind === 'milestone' ? (b.done ? 100 : 0) : Math.max(0, Math.min(100, b.progress)),
    custom_class: barClass(b),
    description: `${b.start} 至 ${b.end}${b.done ? ' · 已完成' : b.late ? ' · 已延误' : ''}`,
  }))
}
