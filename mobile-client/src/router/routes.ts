// Every screen of the app. Each page lives in src/pages/<route>/ and is loaded on demand.
// Later screens already have their names and paths (meta.planned) and show 「即将上线」
// until their page lands: replace the component and turn on the feature in features.ts.
import type { RouteRecordRaw } from 'vue-router'
import type { Role } from '@/gql/graphql'
import type { MessageKey } from '@/locales'
import { ALL_ROLES, DONOR_ROLES, PARTNER_ROLES, STAFF_ROLES } from './roles'

declare module 'vue-router' {
  interface RouteMeta {
    /** Open without logging in. */
    public?: boolean
    /** Who may open it; any logged-in role when left out. */
    roles?: readonly Role[]
    /** The nav bar title. */
    title?: MessageKey
    /** Shown inside the tab layout (bottom tab bar) rather than as a pushed page. */
    tab?: boolean
    /** Reserved for a later capability; renders the coming-soon page for now. */
    planned?: boolean
  }
}

export type AppRouteName =
  | 'login'
  | 'home'
  | 'ledger'
  | 'donations'
  | 'receipt'
  | 'statement'
  | 'rewards'
  | 'redemptions'
  | 'profile'
  | 'staff-donate'
  | 'staff-today'
  | 'staff-fulfil'
  | 'partner-home'
  | 'not-found'
  // Later capabilities (planned):
  | 'activities'
  | 'activity'
  | 'checkin'
  | 'hours'
  | 'perks'
  | 'board'
  | 'projects'
  | 'project'
  | 'staff-activities'
  | 'partner-honour'

type AppRoute = RouteRecordRaw & { name: AppRouteName }

const ComingSoon = () => import('@/pages/coming-soon/ComingSoonPage.vue')

function planned(name: AppRouteName, path: string, title: MessageKey, roles: readonly Role[]): AppRoute {
  return { name, path, component: ComingSoon, meta: { roles, title, planned: true } }
}

/** Pages inside the tab layout. */
export const tabRoutes: AppRoute[] = [
  { name: 'home', path: '/home', component: () => import('@/pages/home/HomePage.vue'), meta: { roles: DONOR_ROLES, title: 'home.title', tab: true } },
  { name: 'ledger', path: '/ledger', component: () => import('@/pages/ledger/LedgerPage.vue'), meta: { roles: DONOR_ROLES, title: 'ledger.title', tab: true } },
  { name: 'rewards', path: '/rewards', component: () => import('@/pages/rewards/RewardsPage.vue'), meta: { roles: DONOR_ROLES, title: 'rewards.title', tab: true } },
  { name: 'profile', path: '/me', component: () => import('@/pages/profile/ProfilePage.vue'), meta: { roles: ALL_ROLES, title: 'profile.title', tab: true } },
  { name: 'staff-donate', path: '/staff/donate', component: () => import('@/pages/staff-donate/StaffDonatePage.vue'), meta: { roles: STAFF_ROLES, title: 'staffDonate.title', tab: true } },
  { name: 'staff-today', path: '/staff/today', component: () => import('@/pages/staff-today/StaffTodayPage.vue'), meta: { roles: STAFF_ROLES, title: 'staffToday.title', tab: true } },
  { name: 'staff-fulfil', path: '/staff/fulfil', component: () => import('@/pages/staff-fulfil/StaffFulfilPage.vue'), meta: { roles: STAFF_ROLES, title: 'staffFulfil.title', tab: true } },
  { name: 'partner-home', path: '/partner', component: ComingSoon, meta: { roles: PARTNER_ROLES, title: 'partner.title', tab: true, planned: true } },
  { ...planned('activities', '/activities', 'planned.activities', DONOR_ROLES), meta: { roles: DONOR_ROLES, title: 'planned.activities', tab: true, planned: true } },
  { ...planned('board', '/board', 'planned.board', DONOR_ROLES), meta: { roles: DONOR_ROLES, title: 'planned.board', tab: true, planned: true } },
  { ...planned('staff-activities', '/staff/activities', 'planned.staffActivities', STAFF_ROLES), meta: { roles: STAFF_ROLES, title: 'planned.staffActivities', tab: true, planned: true } },
]

/** Pages pushed over the tabs, with a back arrow. */
export const pageRoutes: AppRoute[] = [
  { name: 'login', path: '/login', component: () => import('@/pages/login/LoginPage.vue'), meta: { public: true, title: 'login.title' } },
  { name: 'donations', path: '/donations', component: () => import('@/pages/donations/DonationsPage.vue'), meta: { roles: DONOR_ROLES, title: 'donations.title' } },
  { name: 'receipt', path: '/donations/:id/receipt', component: () => import('@/pages/receipt/ReceiptPage.vue'), meta: { roles: [...DONOR_ROLES, ...STAFF_ROLES], title: 'receipt.title' } },
  { name: 'statement', path: '/statement', component: () => import('@/pages/statement/StatementPage.vue'), meta: { roles: DONOR_ROLES, title: 'statement.title' } },
  { name: 'redemptions', path: '/redemptions', component: () => import('@/pages/redemptions/RedemptionsPage.vue'), meta: { roles: DONOR_ROLES, title: 'redemptions.title' } },
  planned('activity', '/activities/:id', 'planned.activities', DONOR_ROLES),
  planned('checkin', '/checkin', 'planned.checkin', DONOR_ROLES),
  planned('hours', '/hours', 'planned.hours', DONOR_ROLES),
  planned('perks', '/perks', 'planned.perks', DONOR_ROLES),
  planned('projects', '/projects', 'planned.projects', ALL_ROLES),
  planned('project', '/projects/:id', 'planned.projects', ALL_ROLES),
  planned('partner-honour', '/partner/honour', 'planned.partnerHonour', PARTNER_ROLES),
]
