// What each kind of message is called, and which ones are warnings worth a pop-up when they arrive live.

export const KIND_LABEL: Record<string, string> = {
  'task.assigned': '任务交办',
  'task.accepted': '任务签收',
  'task.returned': '任务退回',
  'task.progress_reported': '落实反馈',
  'task.due_soon': '临期提醒',
  'task.lagging': '滞后预警',
  'task.overdue': '超期提醒',
  'task.completed': '报请复核',
  'task.closed': '已销号',
  'task.report_missing': '反馈缺报',
  'urge.issued': '催办督办',
  'urge.escalated': '催办升级',
  'urge.answered': '催办答复',
}

export function kindLabel(kind: string): string {
  return KIND_LABEL[kind] ?? KIND_LABEL[kind.replace(/^(tasking|supervision)\./, '')] ?? kind
}

export type Severity = 'error' | 'warning' | 'info'

/** The pop-up's type for a message that arrives live: overdue and escalations are errors, lagging a warning. */
export function severity(kind: string, urgent = false): Severity {
  if (urgent || /overdue|escalated/.test(kind)) return 'error'
  if (/lagging|due_soon|report_missing|urge/.test(kind)) return 'warning'
  return 'info'
}

/** Periods a bulletin covers, newest first: this quarter, the last one, this year, this month. */
export function bulletinPeriods(today: string): { value: string; label: string }[] {
  const [y, m] = today.split('-').map(Number)
  const q = Math.floor((m - 1) / 3) + 1
  const prev = q === 1 ? { y: y - 1, q: 4 } : { y, q: q - 1 }
  const mm = String(m).padStart(2, '0')
  return [
    { value: `${y}-Q${q}`, label: `${y}年第${q}季度` },
    { value: `${prev.y}-Q${prev.q}`, label: `${prev.y}年第${prev.q}季度` },
    { value: `${y}-${mm}`, label: `${y}年${m}月` },
    { value: `${y}`, label: `${y}年度` },
  ]
}
