// RFC 9457 problem+json → messages for a form: one zh-CN message per field, plus the general one.

export interface FieldError {
  loc?: (string | number)[]
  msg: string
  type?: string
  ctx?: Record<string, unknown>
}

export interface ProblemBody {
  type?: string
  title?: string
  status?: number
  detail?: string
  /** pydantic's field errors, or a refused import's cell errors (see cellErrors). */
  errors?: (FieldError | CellError)[]
  [key: string]: unknown
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public problem: ProblemBody,
  ) {
    super(problemMessage(problem, status))
  }
  get slug(): string {
    return (this.problem.type ?? '').replace('urn:luoshi:problem:', '')
  }
}

/** pydantic's error types in zh-CN; the API's own messages already are. */
const PYDANTIC_ZH: Record<string, (e: FieldError) => string> = {
  missing: () => '此项为必填项',
  string_too_short: (e) =>
    Number(e.ctx?.min_length ?? 1) <= 1 ? '此项不能为空' : `至少 ${e.ctx?.min_length} 个字符`,
  string_too_long: (e) => `最多 ${e.ctx?.max_length ?? ''} 个字符`,
  string_type: () => '请输入文字',
  string_pattern_mismatch: () => '格式不正确',
  int_parsing: () => '请输入整数',
  int_type: () => '请输入整数',
  float_parsing: () => '请输入数字',
  greater_than_equal: (e) => `不能小于 ${e.ctx?.ge}`,
  less_than_equal: (e) => `不能大于 ${e.ctx?.le}`,
  greater_than: (e) => `必须大于 ${e.ctx?.gt}`,
  less_than: (e) => `必须小于 ${e.ctx?.lt}`,
  date_parsing: () => '日期格式应为 YYYY-MM-DD',
  date_from_datetime_parsing: () => '日期无效，格式应为 YYYY-MM-DD',
  date_type: () => '日期无效，格式应为 YYYY-MM-DD',
  literal_error: () => '取值不在允许范围内',
  enum: () => '取值不在允许范围内',
  list_type: () => '应为列表',
  too_short: () => '至少需要一项',
  too_long: () => '项目过多',
  value_error: (e) => e.msg.replace(/^Value error, /, ''),
  extra_forbidden: () => '不允许的字段',
}

const HAN = /[\u4e00-\u9fff]/

/** A spreadsheet import's errors: one per cell. */
export interface CellError {
  row: number
  column: string
  cell: string
  header: string
  message: string
}

export function cellErrors(problem: ProblemBody | undefined): CellError[] {
  return (problem?.errors ?? []).filter(
    (e): e is CellError => typeof e === 'object' && e !== null && 'cell' in e && 'row' in e,
  )
}

function isFieldError(e: FieldError | CellError): e is FieldError {
  return 'msg' in e && typeof e.msg === 'string'
}

function fieldErrorsOf(problem: ProblemBody | undefined): FieldError[] {
  return (problem?.errors ?? []).filter(isFieldError)
}

export function fieldMessage(e: FieldError): string {
  if (HAN.test(e.msg)) return e.msg.replace(/^Value error, /, '')
  const zh = e.type ? PYDANTIC_ZH[e.type] : undefined
  return zh ? zh(e) : e.msg
}

/** The form field an error concerns: the loc without its "body"/"query" head, dotted ("items.0.title"). */
export function fieldPath(loc: (string | number)[]): string {
  const parts = [...loc]
  if (parts.length && ['body', 'query', 'path', 'form'].includes(String(parts[0]))) parts.shift()
  return parts.join('.')
}

/** Problems without `errors[]` that still concern one field. */
export const SLUG_FIELDS: Record<string, string> = {
  'deadline-in-past': 'deadline',
  'deadline-after-parent': 'deadline',
  'assign-outside-subtree': 'lead_unit',
  'lead-unit-is-co-unit': 'co_units',
  'wrong-password': 'old_password',
  'username-taken': 'username',
  'org-exists': 'code',
  'invalid-org-code': 'code',
  'no-department-code': 'code',
  'report-before-session': 'reported_on',
}

/** { field: message } for el-form's `:error` on each item; several errors on one field are joined. */
export function fieldErrors(problem: ProblemBody | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  const slug = (problem?.type ?? '').replace('urn:luoshi:problem:', '')
  if (!problem?.errors?.length && SLUG_FIELDS[slug] && problem?.detail) out[SLUG_FIELDS[slug]] = problem.detail
  for (const e of fieldErrorsOf(problem)) {
    if (!Array.isArray(e.loc)) continue
    const key = fieldPath(e.loc)
    const msg = fieldMessage(e)
    if (!key) continue
    out[key] = out[key] ? `${out[key]}；${msg}` : msg
  }
  return out
}

/** The message to show in a toast: the problem's zh-CN detail, else the zh-CN half of its title. */
export function problemMessage(problem: ProblemBody | undefined, status = 0): string {
  const whole = fieldErrorsOf(problem).filter((e) => Array.isArray(e.loc) && !fieldPath(e.loc)).map(fieldMessage)
  if (whole.length) return whole.join('；')
  if (problem?.detail && HAN.test(problem.detail)) return problem.detail
  if (problem?.title) return problem.title.split(/\s+(?=[A-Za-z])/)[0]
  if (status === 0) return '无法连接服务器，请检查网络'
  return `请求失败（${status}）`
}
