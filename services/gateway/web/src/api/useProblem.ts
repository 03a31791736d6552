// A form's errors from the API: field messages next to the fields, the rest as a message.
import { reactive, ref } from 'vue'
import { ElMessage } from 'element-plus'
import { ApiError, fieldErrors, problemMessage } from './problem'

export function useProblem() {
  const errors = reactive<Record<string, string>>({})
  const general = ref('')

  function clear(): void {
    Object.keys(errors).forEach((k) => delete errors[k])
    general.value = ''
  }

  /** Shows the error; returns the field messages (empty when the problem concerns no field). */
  function handle(e: unknown, known: string[] = []): Record<string, string> {
    clear()
    if (!(e instanceof ApiError)) {
      general.value = e instanceof Error ? e.message : String(e)
      ElMessage.error(general.value)
      return {}
    }
    const byField = fieldErrors(e.problem)
    Object.assign(errors, byField)
    const unplaced = Object.keys(byField).filter((k) => known.length && !known.some((f) => k === f || k.startsWith(`${f}.`)))
    general.value =
      Object.keys(byField).length && !unplaced.length
        ? '请按提示修改标红的项目'
        : [problemMessage(e.problem, e.status), ...unplaced.map((k) => `${k}：${byField[k]}`)].join('；')
    ElMessage.error(general.value)
    return byField
  }

  return { errors, general, clear, handle }
}
