// Labels and the small rules of the inspection pages (services/supervision/inspections/rules.py; the API
// enforces them again and hides 暗访 from its targets until it is conducted).
import type { Inspection, InspectionKind, InspectionState, MemberRole, SubjectKind } from '@/api/supervision'

type Tag = 'primary' | 'success' | 'warning' | 'info' | 'danger'

export const INSPECTION_KINDS: Record<InspectionKind, string> = {
  special: '专项督查',
  cross: '交叉督查',
  unannounced: '暗访督查',
  follow_up: '回访督查',
  onsite: '领导带队现场督查',
  representatives: '两代表一委员现场督查',
  third_party: '第三方评估',
  re_inspection: '再督查',
}
/** Kinds a person schedules (再督查 is scheduled by the system after a rejected or overdue rectification). */
export const SCHEDULED_KINDS = (Object.keys(INSPECTION_KINDS) as InspectionKind[]).filter((k) => k !== 're_inspection')

export const INSPECTION_STATES: Record<InspectionState, [string, Tag]> = {
  planned: ['已安排', 'primary'],
  conducted: ['已实施', 'warning'],
  reported: ['已报告', 'success'],
  cancelled: ['已撤销', 'info'],
}
export const SUBJECT_KINDS: Record<SubjectKind, string> = { decision: '决策部署', document: '文件', tasks: '重点任务', theme: '专题' }
export const MEMBER_ROLES: Record<MemberRole, string> = {
  inspector: '督查专员',
  leader: '带队领导',
  representative: '两代表一委员',
  assessor: '第三方评估机构',
}
export const TRACE_ACTIONS: Record<string, string> = {
  schedule: '安排督查',
  merge: '并入重叠督查',
  conduct: '实施督查',
  report: '督查报告',
  cancel: '撤销',
  finding: '记录问题',
  evidence: '提交证据',
  order: '下达整改通知',
}

export const ORGANISING_ROLES = ['principal', 'deputy', 'office']
const INSPECTING_ROLES = ['principal', 'deputy', 'office', 'inspector']

export type InspectionAction = 'conduct' | 'report' | 'cancel' | 'finding'

interface Me {
  person_id: string
  org_code: string
  roles: string[]
}

/** What this person may do with the inspection now: the inspecting organisation (or a member of the team)
 * conducts, reports and records findings; the organisers cancel a planned one. */
export function inspectionActions(i: Pick<Inspection, 'state' | 'inspecting_org' | 'team'>, me: Me): InspectionAction[] {
  const own = i.inspecting_org === me.org_code
  const role = i.team.find((m) => m.person_id === me.person_id)?.role
  const side = own && me.roles.some((r) => INSPECTING_ROLES.includes(r))
  const out: InspectionAction[] = []
  if (i.state === 'planned' && (side || !!role)) out.push('conduct')
  if (i.state === 'conducted' && (side || (role && role !== 'representative'))) out.push('report')
  if ((i.state === 'conducted' || i.state === 'reported') && (side || role === 'inspector' || role === 'leader')) out.push('finding')
  if (i.state === 'planned' && own && me.roles.some((r) => ORGANISING_ROLES.includes(r))) out.push('cancel')
  return out
}

/** Client-side check of a new inspection before it is sent, keyed by field like the API's errors. */
export function inspectionErrors(f: { title: string; subject: string; target_orgs: string[]; planned_start: string; planned_end: string }): Record<string, string> {
  const e: Record<string, string> = {}
  if (!f.title.trim()) e.title = '请填写督查名称'
  if (!f.subject.trim()) e.subject = '请填写督查事项'
  if (!f.target_orgs.length) e.target_orgs = '请选择被督查单位'
  if (!f.planned_start) e.planned_start = '请选择开始日期'
  if (!f.planned_end) e.planned_end = '请选择结束日期'
  else if (f.planned_start && f.planned_end < f.planned_start) e.planned_end = '结束日期不能早于开始日期'
  return e
}
