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

export type RectificationState = 'rectifying' | 'submitted' | 'verified'

export interface Rectification {
  id: string
  finding_id: string
  notice_no: string
  title: string
  responsible_unit: string
  inspecting_org: string
  inspection_id: string | null
  task_id: string | null
  leading_leader: string
  requirements: string
  working_days: number
  deadline: string
  state: RectificationState
  listed: boolean
  listed_reason: string | null
  rejections: number
  overdue: boolean
  next_report_due: string | null
  submitted_on: string | null
  verified_at: string | null
  created_at: string
}

export interface RectificationReport {
  id: string
  progress: string
  evidence: string
  final: boolean
  reported_by: string
  reported_org: string
  reported_at: string
}

export type InspectionState = 'planned' | 'conducted' | 'reported' | 'cancelled'
export type InspectionKind = 'special' | 'cross' | 'unannounced' | 'follow_up' | 'onsite' | 'representatives' | 'third_party' | 're_inspection'
export type SubjectKind = 'decision' | 'document' | 'tasks' | 'theme'
export type MemberRole = 'inspector' | 'leader' | 'representative' | 'assessor'

export interface Inspection {
  id: string
  title: string
  kind: InspectionKind
  subject_kind: SubjectKind
  subject: string
  description: string
  inspecting_org: string
  unannounced: boolean
  plan_id: string | null
  clue_id: string | null
  rectification_id: string | null
  target_orgs: string[]
  task_ids: string[]
  inspector_units: string[]
  leader_id: string | null
  team: { person_id: string; role: MemberRole }[]
  planned_start: string
  planned_end: string
  state: InspectionState
  conducted_on: string | null
  conducted_summary: string
  report: string
  findings_count: number
  created_by: string
  created_at: string
  merged?: boolean
}

export interface InspectionTrace {
  action: string
  actor_id: string
  actor_org: string
  reason: string | null
  detail: Record<string, unknown>
  at: string
}

export interface InspectionPlan {
  id: string
  org_code: string
  year: number
  title: string
  period_start: string
  period_end: string
  notes: string
  created_by: string
  created_at: string
  inspections: Inspection[]
}

export interface Finding {
  id: string
  inspection_id: string | null
  task_id: string | null
  org_code: string
  inspecting_org: string
  title: string
  description: string
  created_by: string
  created_at: string
}
