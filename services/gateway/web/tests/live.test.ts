import { describe, expect, it } from 'vitest'
import { backoff, parseSse } from '../src/api/sse'
import { bulletinPeriods, kindLabel, severity } from '../src/utils/notifications'

describe('server-sent events', () => {
  it('parses whole events and keeps the unfinished rest', () => {
    const { events, rest } = parseSse('retry: 3000\n\nevent: unread\ndata: {"unread": 2}\n\nevent: notification\nid: c1\ndata: {"id"')
    expect(events).toEqual([{ event: 'unread', data: '{"unread": 2}' }])
    expect(rest).toBe('event: notification\nid: c1\ndata: {"id"')
    const more = parseSse(rest + ': "n1"}\n\n')
    expect(more.events).toEqual([{ event: 'notification', id: 'c1', data: '{"id": "n1"}' }])
    expect(more.rest).toBe('')
  })
  it('skips heartbeats and joins multi-line data; CRLF works too', () => {
    const { events } = parseSse(': keep-alive\r\n\r\ndata: a\r\ndata: b\r\n\r\n')
    expect(events).toEqual([{ event: 'message', data: 'a\nb' }])
  })
  it('backs off from 1 s doubling to 30 s', () => {
    expect([0, 1, 2, 5, 9].map(backoff)).toEqual([1000, 2000, 4000, 30000, 30000])
  })
})

describe('live messages', () => {
  it('names kinds in zh-CN, with or without the service prefix', () => {
    expect(kindLabel('task.lagging')).toBe('滞后预警')
    expect(kindLabel('tasking.task.overdue')).toBe('超期提醒')
    expect(kindLabel('something.else')).toBe('something.else')
  })
  it('pops overdue up as an error and lagging as a warning', () => {
    expect(severity('task.overdue')).toBe('error')
    expect(severity('task.lagging')).toBe('warning')
    expect(severity('task.assigned')).toBe('info')
    expect(severity('task.assigned', true)).toBe('error')
  })
  it('offers this quarter, the last, this month and this year for a bulletin', () => {
    expect(bulletinPeriods('2026-12-01').map((p) => p.value)).toEqual(['2026-Q4', '2026-Q3', '2026-12', '2026'])
    expect(bulletinPeriods('2027-02-10')[1]).toEqual({ value: '2026-Q4', label: '2026年第4季度' })
  })
})
