import { describe, expect, it } from 'vitest'
import { answerOverdue, mayAnswer, noticeActions, triageBody, triageErrors } from '../src/utils/supervision'

const county = { org_code: '520102', roles: ['handler'] }

describe('urges', () => {
  it('only the urged unit answers, and only while open', () => {
    expect(mayAnswer({ state: 'open', org_code: '520102' }, county)).toBe(true)
    expect(mayAnswer({ state: 'answered', org_code: '520102' }, county)).toBe(false)
    expect(mayAnswer({ state: 'open', org_code: '520103' }, county)).toBe(false)
    expect(mayAnswer({ state: 'open', org_code: '520102' }, { org_code: '520102', roles: ['inspector'] })).toBe(false)
  })
  it('an open urge past its answer deadline is overdue', () => {
    const now = new Date('2026-12-01T08:00:00Z')
    expect(answerOverdue({ state: 'open', answer_due_at: '2026-12-01T07:59:00Z' }, now)).toBe(true)
    expect(answerOverdue({ state: 'open', answer_due_at: '2026-12-01T09:00:00Z' }, now)).toBe(false)
    expect(answerOverdue({ state: 'answered', answer_due_at: '2026-11-01T00:00:00Z' }, now)).toBe(false)
  })
})

describe('notices', () => {
  const office = { org_code: '52', roles: ['office'] }
  const principal = { org_code: '52', roles: ['principal'] }
  it('the office drafts and submits, its principal approves or returns', () => {
    expect(noticeActions({ state: 'draft', issuing_org: '52' }, office)).toEqual(['edit', 'submit', 'delete'])
    expect(noticeActions({ state: 'draft', issuing_org: '52' }, principal)).toEqual([])
    expect(noticeActions({ state: 'submitted', issuing_org: '52' }, principal)).toEqual(['approve', 'return'])
    expect(noticeActions({ state: 'submitted', issuing_org: '52' }, office)).toEqual([])
  })
  it('a published notice is only corrected, by its own office', () => {
    expect(noticeActions({ state: 'published', issuing_org: '52' }, office)).toEqual(['correct'])
    expect(noticeActions({ state: 'published', issuing_org: '5201' }, office)).toEqual([])
  })
})

describe('clue triage', () => {
  const blank = { target_ref: '', referred_to: '', reason: '' }
  it('asks for what each outcome needs, next to its field', () => {
    expect(triageErrors({ ...blank, outcome: '' })).toEqual({ outcome: '请选择研判结果' })
    expect(triageErrors({ ...blank, outcome: 'finding' })).toHaveProperty('target_ref')
    expect(triageErrors({ ...blank, outcome: 'referral' })).toHaveProperty('referred_to')
    expect(triageErrors({ ...blank, outcome: 'dismissed' })).toHaveProperty('reason')
    expect(triageErrors({ ...blank, outcome: 'dismissed', reason: '不属于督查范围' })).toEqual({})
  })
  it('sends only the fields the outcome uses', () => {
    expect(triageBody({ outcome: 'referral', target_ref: 'x', referred_to: '5201', reason: '', reply: '' })).toEqual({ outcome: 'referral', referred_to: '5201' })
    expect(triageBody({ outcome: 'finding', target_ref: ' F-1 ', referred_to: '5201', reason: '属实', reply: '' })).toEqual({ outcome: 'finding', target_ref: 'F-1', reason: '属实' })
  })
})
