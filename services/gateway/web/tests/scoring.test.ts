import { describe, expect, it } from 'vitest'
import { levelOfCode, periodLabel, quarterOf, rankingActions, recentPeriods, signed, tierBelow } from '../src/utils/scoring'

describe('periods', () => {
  it('names the quarter of a business date', () => {
    expect(quarterOf('2026-12-01')).toBe('2026Q4')
    expect(quarterOf('2027-01-01')).toBe('2027Q1')
  })
  it('offers this quarter and three before it, then this year and the last', () => {
    expect(recentPeriods('2027-02-10')).toEqual(['2027Q1', '2026Q4', '2026Q3', '2026Q2', '2027', '2026'])
  })
  it('labels periods in Chinese', () => {
    expect(periodLabel('2026Q4')).toBe('2026年第4季度')
    expect(periodLabel('2026')).toBe('2026年度')
  })
})

describe('rankings', () => {
  const principal = { org_code: '520000000000', roles: ['principal'] }
  const office = { org_code: '520000000000', roles: ['office'] }
  it('only the principal of the ranked government approves a draft', () => {
    expect(rankingActions({ state: 'draft', scope_org: '520000000000' }, principal)).toEqual(['approve'])
    expect(rankingActions({ state: 'draft', scope_org: '520000000000' }, office)).toEqual([])
    expect(rankingActions({ state: 'draft', scope_org: '520100000000' }, principal)).toEqual([])
  })
  it('an approved one is published by the principal or the office; a published one is done', () => {
    expect(rankingActions({ state: 'approved', scope_org: '520000000000' }, office)).toEqual(['publish'])
    expect(rankingActions({ state: 'published', scope_org: '520000000000' }, principal)).toEqual([])
  })
  it('ranks the tier below the government by default', () => {
    expect(tierBelow(levelOfCode('520000000000'))).toBe('city')
    expect(tierBelow(levelOfCode('520100000000'))).toBe('county')
    expect(levelOfCode('520102000000')).toBe('county')
    expect(levelOfCode('520102001000')).toBe('township')
  })
  it('shows points with their sign', () => {
    expect(signed('2')).toBe('+2.00')
    expect(signed('-1.5')).toBe('-1.50')
    expect(signed('0.00')).toBe('0.00')
  })
})

describe('accountability form', () => {
  it('reads one person a line, name then position, and skips blank lines', async () => {
    const { parsePersons } = await import('../src/utils/scoring')
    expect(parsePersons('张三 县政府办公室主任\n\n 李四，副县长 \n王五')).toEqual([
      { name: '张三', position: '县政府办公室主任' },
      { name: '李四', position: '副县长' },
      { name: '王五', position: '' },
    ])
  })
})
