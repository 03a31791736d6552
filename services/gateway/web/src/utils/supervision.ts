// Labels and the small rules the supervision pages follow (the API enforces them again).
import type { ClueOutcome, ClueState, Notice, NoticeKind, NoticeState, Urge, UrgeKind, UrgeRole, UrgeState } from '@/api/supervision'

type Tag = 'primary' | 'success' | 'warning' | 'info' | 'danger'

export const URGE_KINDS: Record<UrgeKind, string> = { urge: '催办', order: '督办' }
export const URGE_STATES: Record<UrgeState, [string, Tag]> = {
  open: ['待答复', 'warning'],
  answered: ['已答复', 'success'],
  closed: ['任务已办结', 'info'],
}
/** The responsibility chain an unanswered urge climbs (services/supervision/urges/rules.py). */
export const CHAIN: Record<UrgeRole, string> = {
  handler: '承办人',
  deputy: '分管负责同志',
  principal: '主要负责同志',
  office: '上级督查室',
}
export const STEP_ACTIONS: Record<string, string> = {
  issued: '发出',
  escalated: '逾期未答复，升级',
  answered: '答复',
  closed: '任务办结，自动关闭',
}

export const CLUE_STATES: Record<ClueState, [string, Tag]> = {
  received: ['待研判', 'warning'],
  referred: ['已转交，待研判', 'primary'],
  triaged: ['已办理', 'success'],
}
export const CLUE_OUTCOMES: Record<ClueOutcome, string> = {
  finding: '立为问题',
  inspection: '纳入督查',
  referral: '转交下级',
  dismissed: '不予立案',
}
export const CLUE_CHANNELS: Record<string, string> = {
  portal: '门户网站',
  wechat: '微信',
  media: '媒体',
  hotline: '热线',
  mail: '信件',
  other: '其他',
}
export const CLUE_CATEGORIES = ['政策落实不到位', '形式主义官僚主义', '群众身边问题', '营商环境', '其他']

export const NOTICE_KINDS: Record<NoticeKind, string> = { exposure: '曝光', commendation: '宣传典型' }
export const NOTICE_STATES: Record<NoticeState, [string, Tag]> = {
  draft: ['草稿', 'info'],
  submitted: ['待审批', 'warning'],
  published: ['已公开', 'success'],
}

/** May this person answer the urge? The urged unit's people, while it is open. */
export function mayAnswer(urge: Pick<Urge, 'state' | 'org_code'>, me: { org_code: string; roles: string[] }): boolean {
  return urge.state === 'open' && urge.org_code === me.org_code && me.roles.some((r) => ['handler', 'deputy', 'principal', 'office'].includes(r))
}

/** The urge's answer is overdue (it will climb at the next scan). */
export function answerOverdue(urge: Pick<Urge, 'state' | 'answer_due_at'>, now: Date = new Date()): boolean {
  return urge.state === 'open' && new Date(urge.answer_due_at).getTime() <= now.getTime()
}

export type NoticeAction = 'edit' | 'delete' | 'submit' | 'approve' | 'return' | 'correct'

/** What this person may do with the notice now: the office drafts at its own level, its principal approves. */
export function noticeActions(n: Pick<Notice, 'state' | 'issuing_org'>, me: { org_code: string; roles: string[] }): NoticeAction[] {
  const own = n.issuing_org === me.org_code
  const office = own && me.roles.includes('office')
  const principal = own && me.roles.includes('principal')
  const out: NoticeAction[] = []
  if (n.state === 'draft' && office) out.push('edit', 'submit', 'delete')
  if (n.state === 'submitted' && principal) out.push('approve', 'return')
  if (n.state === 'published' && office) out.push('correct')
  return out
}

/** Client-side check of a triage before it is sent, keyed by field like the API's errors. */
export function triageErrors(t: { outcome: ClueOutcome | ''; target_ref: string; referred_to: string; reason: string }): Record<string, string> {
  const e: Record<string, string> = {}
  if (!t.outcome) e.outcome = '请选择研判结果'
  if ((t.outcome === 'finding' || t.outcome === 'inspection') && !t.target_ref.trim()) e.target_ref = '立为问题或纳入督查须填写关联编号'
  if (t.outcome === 'referral' && !t.referred_to) e.referred_to = '转交须选择下级政府'
  if (t.outcome === 'dismissed' && !t.reason.trim()) e.reason = '不予立案须说明理由'
  return e
}

/** The triage body as the API takes it: only the fields the outcome uses. */
export function triageBody(t: { outcome: ClueOutcome; target_ref: string; referred_to: string; reason: string; reply: string }): Record<string, string> {
  const body: Record<string, string> = { outcome: t.outcome }
  if (t.outcome === 'finding' || t.outcome === 'inspection') body.target_ref = t.target_ref.trim()
  if (t.outcome === 'referral') body.referred_to = t.referred_to
  if (t.reason.trim()) body.reason = t.reason.trim()
  if (t.reply.trim()) body.reply = t.reply.trim()
  return body
}
