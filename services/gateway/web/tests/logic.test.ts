import { describe, expect, it } from 'vitest'
import { fieldErrors, fieldMessage, problemMessage, cellErrors } from '../src/api/problem'
import { menuFor, pathAllowed } from '../src/auth/nav'
import { lights, chartedChildren, shortName } from '../src/utils/dashboard'
import { rollUp, today, dateTime, taskListQuery } from '../src/utils/format'
import { taskActions } from '../src/utils/taskActions'
import { toGanttTasks, escapeHtml, drawnEnd } from '../src/utils/gantt'
import { loadViews, saveView, deleteView } from '../src/utils/savedViews'
import { buildQuery } from '../src/api/http'

describe('problem+json → form messages', () => {
  const validation = {
    type: 'urn:luoshi:problem:validation',
    title: '输入有误 Invalid input',
    status: 422,
    detail: '请求内容未通过校验',
    errors: [
      { loc: ['body', 'title'], msg: 'String should have at least 1 character', type: 'string_too_short', ctx: { min_length: 1 } },
      { loc: ['body', 'deadline'], msg: 'Input should be a valid date', type: 'date_from_datetime_parsing' },
      { loc: ['body', 'items', 0, 'title'], msg: 'Field required', type: 'missing' },
    ],
  }
  it('puts each pydantic error on its field in zh-CN', () => {
    expect(fieldErrors(validation)).toEqual({
      title: '此项不能为空',
      deadline: '日期无效，格式应为 YYYY-MM-DD',
      'items.0.title': '此项为必填项',
    })
  })
  it('keeps messages that are already Chinese and strips pydantic prefixes', () => {
    expect(fieldMessage({ loc: ['body'], msg: 'Value error, 开始日期晚于完成时限', type: 'value_error' })).toBe('开始日期晚于完成时限')
  })
  it('whole-body errors become the general message', () => {
    const p = { ...validation, errors: [{ loc: ['body'], msg: 'Value error, 开始日期晚于完成时限', type: 'value_error' }] }
    expect(fieldErrors(p)).toEqual({})
    expect(problemMessage(p)).toBe('开始日期晚于完成时限')
  })
  it('maps a slug without errors[] to its field', () => {
    const p = { type: 'urn:luoshi:problem:deadline-in-past', title: '完成时限已过 Deadline in the past', status: 422, detail: '完成时限 2020-06-30 早于今天' }
    expect(fieldErrors(p)).toEqual({ deadline: '完成时限 2020-06-30 早于今天' })
  })
  it('uses the zh-CN half of a title when the detail is English or missing', () => {
    expect(problemMessage({ title: '未找到 Not found', status: 404 })).toBe('未找到')
    expect(problemMessage(undefined, 0)).toContain('无法连接')
    expect(problemMessage({}, 502)).toBe('请求失败（502）')
  })
  it('picks the cell errors of a refused import', () => {
    const p = { errors: [{ row: 3, column: 'deadline', cell: 'F3', header: '完成时限', message: '日期无效' }, { loc: ['body'], msg: 'x' }] }
    expect(cellErrors(p)).toEqual([{ row: 3, column: 'deadline', cell: 'F3', header: '完成时限', message: '日期无效' }])
  })
})

describe('navigation follows roles', () => {
  const keys = (roles: string[]) => menuFor(roles).flatMap((i) => [i.key, ...(i.children ?? []).map((c) => c.key)])
  it('a handler sees no assignment and no administration', () => {
    const k = keys(['handler'])
    expect(k).toContain('taskList')
    expect(k).not.toContain('taskCreate')
    expect(k).not.toContain('admin')
  })
  it('an office clerk reads people but not the audit trail', () => {
    const k = keys(['office'])
    expect(k).toContain('people')
    expect(k).not.toContain('audit')
    expect(k).toContain('taskCreate')
  })
  it('an administrator sees every administration page', () => {
    expect(keys(['admin'])).toEqual(expect.arrayContaining(['orgs', 'people', 'calendar', 'rules', 'audit']))
  })
  it('every supervision page is open to the office; a handler sees inspections and urges, not clues', () => {
    const sup = menuFor(['office']).find((i) => i.key === 'supervision')!
    expect(sup.children!.map((c) => c.key)).toEqual(['inspections', 'urges', 'rectifications', 'clues', 'notices'])
    expect(sup.children!.every((c) => c.path && !c.disabled)).toBe(true)
    expect(keys(['handler'])).toContain('inspections')
    expect(keys(['handler'])).toContain('urges')
    expect(keys(['handler'])).not.toContain('clues')
    expect(pathAllowed('/supervision/notices', ['handler'])).toBe(false)
  })
  it('guards paths the same way', () => {
    expect(pathAllowed('/admin/audit', ['office'])).toBe(false)
    expect(pathAllowed('/admin/audit', ['admin'])).toBe(true)
    expect(pathAllowed('/tasks/new', ['handler'])).toBe(false)
    expect(pathAllowed('/tasks/abc', ['handler'])).toBe(true)
  })
})

describe('dashboard figures', () => {
  it('splits the open tasks into red, yellow and green', () => {
    expect(lights({ by_state: { assigned: 3, accepted: 5, closed: 2, archived: 1, cancelled: 1 }, overdue: 2, lagging: 1 })).toEqual({
      open: 8,
      red: 2,
      yellow: 1,
      green: 5,
      done: 3,
      total: 12,
    })
  })
  it('charts the children with tasks, best on-time rate first', () => {
    const c = (name: string, tasks: number, rate: number | null) => ({ org_code: name, name, tasks, closed: 0, closed_on_time: 0, on_time_rate: rate, overdue: 0, lagging: 0 })
    expect(chartedChildren([c('a', 0, null), c('b', 2, 0.5), c('c', 1, 1), c('d', 4, null)]).map((x) => x.name)).toEqual(['c', 'b', 'd'])
    expect(shortName('贵阳市人民政府')).toBe('贵阳市')
  })
})

describe('task rules mirrored in the browser', () => {
  const me = (org: string, ...roles: string[]) => ({ org_code: org, roles })
  const task = { state: 'assigned', issuing_org: '520000000000', lead_unit: '520102000000', co_units: ['520103000000'] }
  it('the lead unit accepts or returns an assigned task', () => {
    expect(taskActions(task, me('520102000000', 'handler'))).toEqual(['accept', 'return'])
    expect(taskActions(task, me('520000000000', 'office'))).toEqual([])
  })
  it('a handler reports and completes but does not decompose', () => {
    const a = taskActions({ ...task, state: 'accepted' }, me('520102000000', 'handler'))
    expect(a).toContain('report')
    expect(a).toContain('complete')
    expect(a).not.toContain('decompose')
  })
  it('a co-unit reports and confirms; the issuer reviews a completed task', () => {
    expect(taskActions({ ...task, state: 'accepted' }, me('520103000000', 'office'))).toEqual(['report', 'confirm'])
    expect(taskActions({ ...task, state: 'completed' }, me('520000000000', 'office'))).toEqual(['review'])
    expect(taskActions({ ...task, state: 'closed' }, me('520000000000', 'deputy'))).toEqual(['archive'])
  })
  it('rolls progress up as tasking does (floor of the live mean)', () => {
    expect(rollUp([{ state: 'accepted', progress_percent: 50 }, { state: 'accepted', progress_percent: 25 }, { state: 'cancelled', progress_percent: 0 }])).toBe(37)
    expect(rollUp([])).toBeNull()
  })
})

describe('small helpers', () => {
  it('dates in Asia/Shanghai', () => {
    expect(today(new Date('2026-12-31T17:00:00Z'))).toBe('2027-01-01')
    expect(dateTime('2026-12-01T08:49:30Z')).toBe('2026-12-01 16:49')
    expect(dateTime(null)).toBe('—')
  })
  it('query strings skip empty values and repeat lists', () => {
    expect(buildQuery({ state: ['assigned', 'accepted'], org: '', limit: 20, x: undefined })).toBe('?state=assigned&state=accepted&limit=20')
    expect(taskListQuery({ org: '52', overdue: true, colour: undefined, top: false })).toEqual({ org: '52', overdue: 'true' })
  })
  it('gantt bars keep milestones apart and escape names for the popup', () => {
    const [bar, ms] = toGanttTasks([
      { id: 'plan:1', kind: 'plan', name: '方案', start: '2026-01-01', end: '2026-06-30', progress: 140, done: false, late: true },
      { id: 'm 2', kind: 'milestone', name: '节点', start: '2026-03-01', end: '2026-02-01', progress: 0, done: true, late: false },
    ])
    expect(bar).toMatchObject({ id: 'plan_1', progress: 100, custom_class: 'bar-late' })
    expect(ms).toMatchObject({ id: 'm_2', name: '◆ 节点', end: '2026-03-01', progress: 100, custom_class: 'bar-done' })
    expect(drawnEnd('2026-01-05', '2099-12-31')).toBe('2035-12-31')
    expect(escapeHtml('<img src=x onerror="a">')).toBe('&lt;img src=x onerror=&quot;a&quot;&gt;')
  })
  it('saved views are per person, replace by name and drop paging', () => {
    const data: Record<string, string> = {}
    const store = { getItem: (k: string) => data[k] ?? null, setItem: (k: string, v: string) => void (data[k] = v) }
    saveView('p1', '超期', { overdue: 'true', page: '3', org: '' }, store)
    saveView('p1', '超期', { overdue: 'true', state: ['accepted'] }, store)
    expect(loadViews('p1', store)).toEqual([{ name: '超期', query: { overdue: 'true', state: ['accepted'] } }])
    expect(loadViews('p2', store)).toEqual([])
    expect(deleteView('p1', '超期', store)).toEqual([])
  })
})
