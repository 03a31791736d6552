// Labels and colours of the domain's values (zh-CN), plus small date helpers.

export const STATES: Record<string, string> = {
  assigned: '已交办',
  accepted: '已签收',
  returned: '已退回',
  completed: '待复核',
  closed: '已销号',
  archived: '已归档',
  cancelled: '已撤销',
}

export const STATE_TAG: Record<string, 'primary' | 'success' | 'warning' | 'info' | 'danger'> = {
  assigned: 'primary',
  accepted: 'primary',
  returned: 'warning',
  completed: 'warning',
  closed: 'success',
  archived: 'info',
  cancelled: 'info',
}

export const COLOURS: Record<string, string> = { green: '正常推进', yellow: '进度滞后', red: '已超期' }

export const SOURCE_LEVELS = ['党中央', '国务院', '国家部委', '省委', '省政府', '市委', '市政府', '县委', '县政府']

export const ROLES: Record<string, string> = {
  principal: '主要负责同志',
  deputy: '分管负责同志',
  handler: '具体承办人',
  office: '督查室',
  inspector: '督查专员',
  representative: '两代表一委员',
  assessor: '第三方评估',
  admin: '系统管理员',
}

export const PERIOD_KINDS: Record<string, string> = { year: '按年', quarter: '按季度', month: '按月', week: '按周' }

export const MEETING_KINDS: Record<string, string> = {
  principal: '主要负责同志调度会（每季度）',
  deputy: '分管负责同志调度会（每月）',
  unit: '单位调度会（每周）',
}

export const LEDGER_KINDS: Record<string, string> = {
  open: '建账',
  dispatch: '调度',
  self_check: '自查',
  reconcile: '对账',
  summary: '小结',
  audit: '查账',
  hand_in: '交账',
  close_out: '销号',
}

export const DOC_STATUS: Record<string, [string, 'warning' | 'danger' | 'success' | 'primary']> = {
  study_pending: ['待学习解读', 'primary'],
  study_overdue: ['学习超期', 'danger'],
  report_pending: ['待报告', 'warning'],
  report_overdue: ['报告超期', 'danger'],
  reported: ['已报告', 'success'],
}

export function stateLabel(state: string): string {
  return STATES[state] ?? state
}

/** "2026-12-01T08:49:30.198454Z" → "2026-12-01 16:49" in Asia/Shanghai. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const parts = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).formatToParts(d)
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? ''
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`
}

/** Today in Asia/Shanghai as YYYY-MM-DD. */
export function today(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(now)
}

/** On-time completion as a percentage for a chart (null when nothing was due yet). */
export function percent(rate: number | null | undefined): number | null {
  return rate === null || rate === undefined ? null : Math.round(rate * 1000) / 10
}

/** Which child units' figures a click on the chart should open in the task list. */
export function taskListQuery(filters: Record<string, string | boolean | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== '' && v !== false) out[k] = String(v)
  return out
}

/** Roll-up as tasking computes it: the plain mean of the live subtasks' progress, rounded down. */
export function rollUp(subtasks: { state: string; progress_percent: number }[]): number | null {
  const live = subtasks.filter((s) => s.state !== 'cancelled')
  if (!live.length) return null
  return Math.floor(live.reduce((acc, s) => acc + s.progress_percent, 0) / live.length)
}
