// zh-CN first; English for the frame (menu, header, sign-in, common words). Pages speak the domain's
// Chinese terms with English in the API docs.
import { createI18n } from 'vue-i18n'

const zh = {
  app: { name: '落实·政府督查管理平台', short: '落实' },
  nav: {
    dashboard: '督查看板',
    tasks: '任务管理',
    taskList: '任务清单',
    taskCreate: '交办任务',
    taskImport: '导入导出',
    plan: '挂图作战',
    gantt: '工作计划（甘特图）',
    letters: '责任书',
    meetings: '调度会',
    documents: '学习解读',
    ledger: '工作台账',
    supervision: '督查督办',
    inspections: '督查检查',
    rectifications: '整改清单',
    urges: '催办督办',
    clues: '线索处理',
    notices: '通报曝光',
    scoring: '积分排名',
    standings: '积分台账',
    rankings: '排名审定',
    negative: '负面清单',
    inbox: '消息中心',
    admin: '系统管理',
    orgs: '组织机构',
    people: '人员与角色',
    calendar: '工作日历',
    rules: '提醒规则',
    clients: '接入系统',
    audit: '审计记录',
    profile: '个人设置',
    portal: '公众门户',
  },
  common: {
    signIn: '登录',
    signOut: '退出登录',
    username: '用户名',
    password: '密码',
    search: '查询',
    reset: '重置',
    save: '保存',
    cancel: '取消',
    submit: '提交',
    loading: '加载中…',
    empty: '暂无数据',
    unread: '未读消息',
    changePassword: '修改密码',
    lang: 'English',
    home: '首页',
    expired: '登录已过期，请重新登录',
  },
}

const en: typeof zh = {
  app: { name: 'Luoshi · Government Supervision Platform', short: 'Luoshi' },
  nav: {
    dashboard: 'Dashboard',
    tasks: 'Tasks',
    taskList: 'Task list',
    taskCreate: 'Assign a task',
    taskImport: 'Import / export',
    plan: 'Plan chart',
    gantt: 'Work plan (Gantt)',
    letters: 'Responsibility letters',
    meetings: 'Dispatch meetings',
    documents: 'Document study',
    ledger: 'Ledger',
    supervision: 'Supervision',
    inspections: 'Inspections',
    rectifications: 'Rectifications',
    urges: 'Urges and orders',
    clues: 'Public clues',
    notices: 'Notices',
    scoring: 'Scoring',
    standings: 'Standings',
    rankings: 'Rankings',
    negative: 'Negative list',
    inbox: 'Inbox',
    admin: 'Administration',
    orgs: 'Organisations',
    people: 'People and roles',
    calendar: 'Working-day calendar',
    rules: 'Deadline rules',
    clients: 'Machine clients',
    audit: 'Audit trail',
    profile: 'My settings',
    portal: 'Public portal',
  },
  common: {
    signIn: 'Sign in',
    signOut: 'Sign out',
    username: 'Username',
    password: 'Password',
    search: 'Search',
    reset: 'Reset',
    save: 'Save',
    cancel: 'Cancel',
    submit: 'Submit',
    loading: 'Loading…',
    empty: 'Nothing here yet',
    unread: 'Unread messages',
    changePassword: 'Change password',
    lang: '中文',
    home: 'Home',
    expired: 'Your session has expired; please sign in again',
  },
}

export type Locale = 'zh-CN' | 'en'
const saved = (typeof localStorage !== 'undefined' && localStorage.getItem('luoshi.lang')) as Locale | null

export const i18n = createI18n({
  legacy: false,
  locale: saved ?? 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zh, en },
})

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  localStorage.setItem('luoshi.lang', locale)
  document.documentElement.lang = locale
}
