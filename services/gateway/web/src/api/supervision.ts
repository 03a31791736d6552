// Shapes of the supervision service's answers (services/supervision/*/schemas.py), as the UI reads them.

export type UrgeKind = 'urge' | 'order'
export type UrgeRole = 'handler' | 'deputy' | 'principal' | 'office'
export type UrgeState = 'open' | 'answered' | 'closed'

export interface UrgeStep {
  action: string
  level: number
  recipient_role: UrgeRole
  actor_id: string | null
  actor_org: string | null
  note: string | null
  at: string
}

export interface Urge {
  id: string
  kind: UrgeKind
  task_id: string | null
  task_title: string | null
  automatic: boolean
  issuing_org: string
  org_code: string
  recipient_role: UrgeRole
  level: number
  state: UrgeState
  message: string
  answer_due: string
  answer_due_at: string
  issued_at: string
  escalated_at: string | null
  answer_reason: string | null
  answer_plan: string | null
  answered_at: string | null
  steps: UrgeStep[]
}

export type ClueState = 'received' | 'referred' | 'triaged'
export type ClueOutcome = 'finding' | 'inspection' | 'referral' | 'dismissed'

export interface Clue {
  id: string
  receipt_no: string
  received_org: string
  org_code: string
  category: string
  channel: string
  content: string
  reporter_name: string | null
  reporter_contact: string | null
  state: ClueState
  outcome: ClueOutcome | null
  target_ref: string | null
  reason: string | null
  reply: string | null
  triaged_at: string | null
  received_at: string
}

export interface ClueReceipt {
  receipt_no: string
  secret: string
  status: ClueState
  received_at: string
}

export interface ClueStatus {
  receipt_no: string
  status: ClueState
  status_zh: string
  outcome: ClueOutcome | null
  reply: string | null
  received_at: string
  updated_at: string
}

export type NoticeKind = 'exposure' | 'commendation'
export type NoticeState = 'draft' | 'submitted' | 'published'

export interface NoticeItem {
  org_code: string
  unit_name?: string | null
  responsible?: string | null
  description: string
}

export interface Notice {
  id: string
  kind: NoticeKind
  title: string
  body: string
  items: NoticeItem[]
  issuing_org: string
  corrects: string | null
  state: NoticeState
  return_reason: string | null
  drafted_by: string
  approved_by: string | null
  published_at: string | null
  created_at: string
}

export interface PublicNotice {
  id: string
  kind: NoticeKind
  title: string
  body: string
  items: NoticeItem[]
  issuing_org: string
  corrects: string | null
  corrected_by: string[]
  published_at: string
}

export interface Paged<T> {
  items: T[]
  total?: number | null
}
