// Which task actions to offer a person (mirrors tasking's tasks/permissions.py; the API decides).
import type { Identity } from '@/auth/session'

export type Action =
  | 'accept'
  | 'return'
  | 'report'
  | 'complete'
  | 'decompose'
  | 'plan'
  | 'confirm'
  | 'reassign'
  | 'cancel'
  | 'review'
  | 'archive'

const WORKING = ['principal', 'deputy', 'office', 'handler', 'admin']
const DIRECTING = ['principal', 'deputy', 'office', 'admin']

interface TaskLike {
  state: string
  issuing_org: string
  lead_unit: string
  co_units: string[]
}

export function taskActions(task: TaskLike, me: Pick<Identity, 'org_code' | 'roles'> | null): Action[] {
  if (!me) return []
  const has = (roles: string[]) => me.roles.some((r) => roles.includes(r))
  const issuer = me.org_code === task.issuing_org && has(DIRECTING)
  const lead = me.org_code === task.lead_unit && has(WORKING)
  const leadDirecting = me.org_code === task.lead_unit && has(DIRECTING)
  const co = task.co_units.includes(me.org_code) && has(WORKING)
  const out: Action[] = []
  switch (task.state) {
    case 'assigned':
      if (lead) out.push('accept', 'return')
      break
    case 'returned':
      if (issuer) out.push('reassign', 'cancel')
      break
    case 'accepted':
      if (lead || co) out.push('report')
      if (lead) out.push('complete', 'plan')
      if (leadDirecting) out.push('decompose')
      if (co) out.push('confirm')
      break
    case 'completed':
      if (issuer) out.push('review')
      break
    case 'closed':
      if (issuer) out.push('archive')
      break
  }
  return out
}
