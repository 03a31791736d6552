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

/** One class per bar (frappe-gantt takes a single token): done wins over late, late over the kind. */
export function barClass(bar: Pick<GanttBar, 'kind' | 'done' | 'late'>): string {
  if (bar.done) return 'bar-done'
  if (bar.late) return 'bar-late'
  return bar.kind === 'milestone' ? 'bar-milestone' : 'bar-plan'
}

/** frappe-gantt refuses bars of ten years or more: such a bar is drawn to the end of its ninth year. */
export function drawnEnd(start: string, end: string): string {
  if (end < start) return start
  const limit = `${Number(start.slice(0, 4)) + 9}-12-31`
  return end > limit ? limit : end
}

export function toGanttTasks(bars: GanttBar[]): GanttTask[] {
  return bars.map((b) => ({
    id: b.id.replace(/[^A-Za-z0-9_-]/g, '_'),
    name: (b.kind === 'milestone' ? '◆ ' : '') + b.name,
    start: b.start,
    end: drawnEnd(b.start, b.end),
    progress: b.kind === 'milestone' ? (b.done ? 100 : 0) : Math.max(0, Math.min(100, b.progress)),
    custom_class: barClass(b),
    description: `${b.start} 至 ${b.end}${b.done ? ' · 已完成' : b.late ? ' · 已延误' : ''}`,
  }))
}
