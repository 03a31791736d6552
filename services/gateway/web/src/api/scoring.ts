// Shapes of the scoring service's answers (services/scoring/*/schemas.py). Points arrive as decimal strings.

export interface Entry {
  id: string
  org_code: string
  period: string
  kind: 'rule' | 'manual' | 'correction' | string
  rule_code: string
  points: string
  quantity: number
  basis: string
  task_id: string | null
  occurred_on: string
  corrects: string | null
  reason: string | null
  recorded_at: string
}

export interface Standing {
  org_code: string
  name: string | null
  period: string
  points: string
  entries: number
  deductions: number
  negative: number
}

export interface StandingPage {
  standing: Standing
  entries: { items: Entry[]; total?: number | null }
}

export interface RankingLine {
  org_code: string
  name: string
  position: number
  rank: number
  points: string
  negative: number
  deductions: number
  entries: number
}

export interface RankingCorrection {
  entry_id: string
  corrects: string
  org_code: string
  points: string
  reason: string | null
  recorded_at: string
  counted_in: string
}

export type RankingState = 'draft' | 'approved' | 'published'

export interface Ranking {
  id: string
  scope_org: string
  scope_name?: string | null
  tier: string
  period: string
  state: RankingState
  created_at: string
  approved_at?: string | null
  published_at?: string | null
  frozen?: boolean
  rule?: string
  lines?: RankingLine[]
  corrections?: RankingCorrection[]
}

export interface NegativeEntry {
  id: string
  org_code: string
  period: string
  task_id: string | null
  source: string
  basis: string
  listed_on: string
  review_outcome: 'kept' | 'rectified' | null
  review_note: string | null
  reviewed_at: string | null
}
