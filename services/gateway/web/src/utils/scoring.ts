// Periods (考核周期: 2026Q4 or 2026), labels and the small rules of the scoring pages.
import type { Ranking, RankingState } from '@/api/scoring'

type Tag = 'primary' | 'success' | 'warning' | 'info' | 'danger'

export function quarterOf(today: string): string {
  const [y, m] = today.split('-').map(Number)
  return `${y}Q${Math.floor((m - 1) / 3) + 1}`
}

/** This quarter and the three before it, then this year and the last. */
export function recentPeriods(today: string): string[] {
  let [y, q] = quarterOf(today).split('Q').map(Number)
  const out: string[] = []
  for (let i = 0; i < 4; i++) {
    out.push(`${y}Q${q}`)
    q--
    if (q === 0) {
      q = 4
      y--
    }
  }
  const year = Number(today.slice(0, 4))
  return [...out, `${year}`, `${year - 1}`]
}

export function periodLabel(p: string): string {
  const m = /^(\d{4})(?:Q([1-4]))?$/.exec(p)
  if (!m) return p
  return m[2] ? `${m[1]}年第${m[2]}季度` : `${m[1]}年度`
}

export const ENTRY_KINDS: Record<string, string> = { rule: '按规则', manual: '手工记分', correction: '更正' }
export const TIERS: Record<string, string> = { province: '省直部门', city: '市（州）', county: '县（市、区）', township: '乡镇（街道）' }
export const RANKING_STATES: Record<RankingState, [string, Tag]> = {
  draft: ['草稿', 'info'],
  approved: ['已批准', 'warning'],
  published: ['已公示', 'success'],
}
export const REVIEW_OUTCOMES: Record<string, string> = { kept: '保留', rectified: '已整改' }

/** "+2.00", "-1.50", "0.00": points with their sign, for a ledger. */
export function signed(points: string | number): string {
  const n = Number(points)
  if (Number.isNaN(n)) return String(points)
  return n > 0 ? `+${n.toFixed(2)}` : n.toFixed(2)
}

export type RankingAction = 'approve' | 'publish'

/** The principal of the ranked government approves a draft; the principal, office or admin publishes it. */
export function rankingActions(r: Pick<Ranking, 'state' | 'scope_org'>, me: { org_code: string; roles: string[] }): RankingAction[] {
  const own = r.scope_org === me.org_code
  if (r.state === 'draft' && own && me.roles.includes('principal')) return ['approve']
  if (r.state === 'approved' && own && me.roles.some((x) => ['principal', 'office', 'admin'].includes(x))) return ['publish']
  return []
}

/** The tier below a government's level: who takes part in its ranking by default. */
export function tierBelow(level: string | undefined): string {
  return { province: 'city', city: 'county', county: 'township' }[level ?? ''] ?? 'city'
}

/** A government's level from its division code (520000000000 province, 520100000000 city, …). */
export function levelOfCode(code: string): string {
  const gov = code.slice(0, 12)
  if (/^\d{2}0{10}$/.test(gov)) return 'province'
  if (/^\d{4}0{8}$/.test(gov)) return 'city'
  if (/^\d{6}0{6}$/.test(gov)) return 'county'
  return 'township'
}

export const INCENTIVE_KINDS: Record<string, string> = {
  funds: '资金激励',
  project: '项目倾斜',
  policy: '政策支持',
  pilot: '先行先试',
  demonstration: '示范创建',
  commendation: '通报表扬',
}
/** Who records incentives and accountability decisions (services/scoring/ledger/manual.py SCORING_ROLES). */
export const DECIDERS = ['principal', 'office', 'admin']

/** A decision's people concerned as the form keeps them, one "姓名 职务" a line, to the API's list. */
export function parsePersons(text: string): { name: string; position: string }[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [name, ...rest] = l.split(/[\s,，]+/)
      return { name, position: rest.join(' ') }
    })
}
