import { createRouter, createWebHistory, type RouteLocationNormalized, type RouteRecordRaw } from 'vue-router'
import { session, loadMe } from './auth/session'
import { pathAllowed } from './auth/nav'
import { navigation } from './utils/activity'

// Every page is its own chunk: the first load carries the frame and the page it opens.
const routes: RouteRecordRaw[] = [
  { path: '/login', component: () => import('./views/LoginView.vue'), meta: { public: true, title: '登录' } },
  {
    path: '/portal',
    component: () => import('./layouts/PortalLayout.vue'),
    meta: { public: true },
    children: [
      { path: '', component: () => import('./views/portal/PortalHome.vue'), meta: { public: true, title: '公众门户' } },
      { path: 'rankings', component: () => import('./views/portal/PortalRankings.vue'), meta: { public: true, title: '排名公示' } },
      { path: 'notices', component: () => import('./views/portal/PortalNotices.vue'), meta: { public: true, title: '通报曝光与表扬' } },
      { path: 'clues', component: () => import('./views/portal/PortalClues.vue'), meta: { public: true, title: '问题线索' } },
    ],
  },
  {
    path: '/',
    component: () => import('./layouts/AppLayout.vue'),
    children: [
      { path: '', redirect: '/dashboard' },
      { path: 'dashboard', component: () => import('./views/DashboardView.vue'), meta: { title: '督查看板' } },
      { path: 'tasks', component: () => import('./views/tasks/TaskListView.vue'), meta: { title: '任务清单', group: '任务管理' } },
      { path: 'tasks/new', component: () => import('./views/tasks/TaskCreateView.vue'), meta: { title: '交办任务', group: '任务管理' } },
      { path: 'tasks/import', component: () => import('./views/tasks/TaskImportView.vue'), meta: { title: '导入导出', group: '任务管理' } },
      { path: 'tasks/:id', component: () => import('./views/tasks/TaskDetailView.vue'), meta: { title: '任务详情', group: '任务管理', parent: ['任务清单', '/tasks'] } },
      { path: 'plan/gantt', component: () => import('./views/plan/GanttView.vue'), meta: { title: '工作计划', group: '挂图作战' } },
      { path: 'plan/letters', component: () => import('./views/plan/LettersView.vue'), meta: { title: '责任书', group: '挂图作战' } },
      { path: 'plan/meetings', component: () => import('./views/plan/MeetingsView.vue'), meta: { title: '调度会', group: '挂图作战' } },
      { path: 'plan/documents', component: () => import('./views/plan/DocumentsView.vue'), meta: { title: '学习解读', group: '挂图作战' } },
      { path: 'plan/ledger', component: () => import('./views/plan/LedgerView.vue'), meta: { title: '工作台账', group: '挂图作战' } },
      { path: 'supervision/inspections', component: () => import('./views/supervision/InspectionsView.vue'), meta: { title: '督查检查', group: '督查督办' } },
      { path: 'supervision/urges', component: () => import('./views/supervision/UrgesView.vue'), meta: { title: '催办督办', group: '督查督办' } },
      { path: 'supervision/rectifications', component: () => import('./views/supervision/RectificationsView.vue'), meta: { title: '整改清单', group: '督查督办' } },
      { path: 'supervision/clues', component: () => import('./views/supervision/CluesView.vue'), meta: { title: '线索处理', group: '督查督办' } },
      { path: 'supervision/notices', component: () => import('./views/supervision/NoticesView.vue'), meta: { title: '通报曝光', group: '督查督办' } },
      { path: 'scoring/standings', component: () => import('./views/scoring/StandingsView.vue'), meta: { title: '积分台账', group: '积分排名' } },
      { path: 'scoring/rankings', component: () => import('./views/scoring/RankingsView.vue'), meta: { title: '排名审定', group: '积分排名' } },
      { path: 'scoring/negative', component: () => import('./views/scoring/NegativeView.vue'), meta: { title: '负面清单', group: '积分排名' } },
      { path: 'scoring/decisions', component: () => import('./views/scoring/DecisionsView.vue'), meta: { title: '激励问责', group: '积分排名' } },
      { path: 'inbox', component: () => import('./views/InboxView.vue'), meta: { title: '消息中心' } },
      { path: 'profile', component: () => import('./views/ProfileView.vue'), meta: { title: '个人设置' } },
      { path: 'admin/orgs', component: () => import('./views/admin/OrgsView.vue'), meta: { title: '组织机构', group: '系统管理' } },
      { path: 'admin/people', component: () => import('./views/admin/PeopleView.vue'), meta: { title: '人员与角色', group: '系统管理' } },
      { path: 'admin/calendar', component: () => import('./views/admin/CalendarView.vue'), meta: { title: '工作日历', group: '系统管理' } },
      { path: 'admin/rules', component: () => import('./views/admin/RulesView.vue'), meta: { title: '提醒规则', group: '系统管理' } },
      { path: 'admin/clients', component: () => import('./views/admin/ClientsView.vue'), meta: { title: '接入系统', group: '系统管理' } },
      { path: 'admin/scoring-rules', component: () => import('./views/admin/ScoringRulesView.vue'), meta: { title: '积分规则', group: '系统管理' } },
      { path: 'admin/webhooks', component: () => import('./views/admin/WebhooksView.vue'), meta: { title: '事件订阅', group: '系统管理' } },
      { path: 'admin/audit', component: () => import('./views/admin/AuditView.vue'), meta: { title: '审计记录', group: '系统管理' } },
      { path: ':rest(.*)*', component: () => import('./views/NotFoundView.vue'), meta: { title: '页面不存在' } },
    ],
  },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(() => {
  navigation(true)
})

/** Start fetching the route's page chunks now (the router would only after the guards): on a first load they
 * come in while the person's identity is asked for, not after. */
function preload(to: RouteLocationNormalized): void {
  for (const record of to.matched) {
    const c = record.components?.default
    if (typeof c === 'function') void (c as () => Promise<unknown>)().catch(() => undefined)
  }
}

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  if (!session.accessToken) return { path: '/login', query: to.fullPath !== '/dashboard' && to.fullPath !== '/' ? { next: to.fullPath } : {} }
  if (!session.me) {
    preload(to)
    try {
      await loadMe()
    } catch {
      return { path: '/login', query: { next: to.fullPath } }
    }
    if (!session.me) return { path: '/login', query: { next: to.fullPath } }
  }
  // Pages a role may not use show the 404 page (as the API answers out-of-scope with 404).
  if (!pathAllowed(to.path, session.me.roles)) return { path: '/404', query: { from: to.fullPath } }
  return true
})

router.afterEach(() => navigation(false))
router.onError(() => navigation(false))

router.afterEach((to) => {
  const title = to.meta.title as string | undefined
  document.title = title ? `${title} - 落实·政府督查管理平台` : '落实·政府督查管理平台'
})
