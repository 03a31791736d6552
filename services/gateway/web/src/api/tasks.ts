import { api } from './http'

export interface TaskStatus {
  colour: 'green' | 'yellow' | 'red'
  expected_percent: number
  working_days_left: number
  overdue: boolean
  lagging: boolean
  due_soon: boolean
  provisional: boolean
}

export interface Task {
  id: string
  title: string
  description: string
  source: string | null
  source_level: string | null
  source_ref: string | null
  category: string | null
  issuing_org: string
  lead_unit: string
  co_units: string[]
  principal_id: string | null
  deputy_id: string | null
  handler_id: string | null
  start_date: string | null
  deadline: string
  required_progress: string
  measures: string
  report_due_dates: string[]
  parent_id: string | null
  period_kind: string | null
  period_label: string | null
  progress_percent: number
  state: string
  created_by: string
  created_at: string
  accepted_at: string | null
  completed_at: string | null
  closed_at: string | null
  last_report_at: string | null
  status?: TaskStatus | null
}

export interface TaskPage {
  items: Task[]
  total: number
  offset: number
  limit: number
  has_more?: boolean
  total_is_estimate?: boolean
}

export const getTask = (id: string) => api.get<Task>(`/tasks/${id}`)
export const listTasks = (q: Record<string, string | number | boolean | string[] | undefined>) => api.get<TaskPage>('/tasks', q)
