import { describe, expect, it } from 'vitest'
import { SCHEDULED_KINDS, inspectionActions, inspectionErrors } from '../src/utils/inspections'

const office = { person_id: 'p-office', org_code: '520000000000', roles: ['office'] }
const county = { person_id: 'p-county', org_code: '520102000000', roles: ['handler', 'principal'] }
const assessor = { person_id: 'p-assessor', org_code: '520100000000', roles: ['assessor'] }
const rep = { person_id: 'p-rep', org_code: '520100000000', roles: ['representative'] }
const base = { inspecting_org: '520000000000', team: [{ person_id: 'p-assessor', role: 'assessor' as const }, { person_id: 'p-rep', role: 'representative' as const }] }

describe('inspection actions', () => {
  it('the inspecting office conducts and cancels a planned inspection, then reports and records findings', () => {
    expect(inspectionActions({ ...base, state: 'planned' }, office)).toEqual(['conduct', 'cancel'])
    expect(inspectionActions({ ...base, state: 'conducted' }, office)).toEqual(['report', 'finding'])
    expect(inspectionActions({ ...base, state: 'reported' }, office)).toEqual(['finding'])
    expect(inspectionActions({ ...base, state: 'cancelled' }, office)).toEqual([])
  })
  it('the inspected unit does nothing to the inspection, whatever its roles', () => {
    for (const state of ['planned', 'conducted', 'reported'] as const) expect(inspectionActions({ ...base, state }, county)).toEqual([])
  })
  it('team members act by their role in the team: an assessor reports, a representative only takes part', () => {
    expect(inspectionActions({ ...base, state: 'planned' }, assessor)).toEqual(['conduct'])
    expect(inspectionActions({ ...base, state: 'conducted' }, assessor)).toEqual(['report'])
    expect(inspectionActions({ ...base, state: 'conducted' }, rep)).toEqual([])
  })
  it('re-inspections are never scheduled by hand', () => {
    expect(SCHEDULED_KINDS).not.toContain('re_inspection')
    expect(SCHEDULED_KINDS).toContain('unannounced')
  })
})

describe('new inspection form', () => {
  const ok = { title: '专项督查', subject: '优化营商环境', target_orgs: ['520102000000'], planned_start: '2026-12-01', planned_end: '2026-12-10' }
  it('a complete form has no errors', () => {
    expect(inspectionErrors(ok)).toEqual({})
  })
  it('names each missing or wrong field', () => {
    expect(Object.keys(inspectionErrors({ ...ok, title: ' ', subject: '', target_orgs: [], planned_start: '', planned_end: '' }))).toEqual(['title', 'subject', 'target_orgs', 'planned_start', 'planned_end'])
    expect(inspectionErrors({ ...ok, planned_end: '2026-11-30' })).toEqual({ planned_end: '结束日期不能早于开始日期' })
  })
})
