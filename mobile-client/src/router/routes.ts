// Every screen of the app. Each page lives in src/pages/<route>/ and is loaded on demand.
import type { RouteRecordRaw } from 'vue-router'
import type { Role } from '@/gql/graphql'
import type { MessageKey } from '@/locales'
import { ADMIN_ROLES, ALL_ROLES, DESK_ROLES, DONOR_ROLES, PARTNER_ROLES, RESIDENT_ROLES, STAFF_ROLES } from './roles'

declare module 'vue-router' {
  interface RouteMeta {
    /** Open without logging in. */
    public?: boolean
    /** For the logged-out only (login, the public home): a signed-in person goes home. */
    anonymousOnly?: boolean
    /** The share description (meta description); the app's own when left out. */
    description?: MessageKey
    /** Who may open it; any logged-in role when left out. */
    roles?: readonly Role[]
    /** The nav bar title. */
    title?: MessageKey
    /** Shown inside the tab layout (bottom tab bar) rather than as a pushed page. */
    tab?: boolean
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
  | 'certificate'
  | 'staff-activity'
  | 'donation-visibility'
  | 'welcome'
  | 'editions'
  | 'edition'
  | 'verify'
  | 'verify-receipt'
  | 'verify-statement'
  | 'verify-certificate'
  | 'baijiaxin'
  | 'admin-home'
  | 'password'
  | 'privacy'
  | 'register'
  | 'forgot-password'
  | 'delete-account'
  | 'staff-desk'
  | 'staff-projects'
  | 'admin-orgs'
  | 'admin-accounts'

type AppRoute = RouteRecordRaw & { name: AppRouteName }

/** Pages inside the tab layout. */
export const tabRoutes: AppRoute[] = [
  { name: 'welcome', path: '/welcome', component: () => import('@/pages/welcome/WelcomePage.vue'), meta: { public: true, anonymousOnly: true, title: 'welcome.title', description: 'welcome.description', tab: true } },
  { name: 'home', path: '/home', component: () => import('@/pages/home/HomePage.vue'), meta: { roles: DONOR_ROLES, title: 'home.title', tab: true } },
  { name: 'activities', path: '/activities', component: () => import('@/pages/activities/ActivitiesPage.vue'), meta: { public: true, title: 'activities.title', description: 'share.activities', tab: true } },
  { name: 'board', path: '/board', component: () => import('@/pages/board/BoardPage.vue'), meta: { public: true, title: 'board.title', description: 'share.board', tab: true } },
  { name: 'ledger', path: '/ledger', component: () => import('@/pages/ledger/LedgerPage.vue'), meta: { roles: DONOR_ROLES, title: 'ledger.title', tab: true } },
  { name: 'rewards', path: '/rewards', component: () => import('@/pages/rewards/RewardsPage.vue'), meta: { roles: DONOR_ROLES, title: 'rewards.title', tab: true } },
  { name: 'profile', path: '/me', component: () => import('@/pages/profile/ProfilePage.vue'), meta: { roles: ALL_ROLES, title: 'profile.title', tab: true } },
  { name: 'staff-donate', path: '/staff/donate', component: () => import('@/pages/staff-donate/StaffDonatePage.vue'), meta: { roles: STAFF_ROLES, title: 'staffDonate.title', tab: true } },
  { name: 'staff-today', path: '/staff/today', component: () => import('@/pages/staff-today/StaffTodayPage.vue'), meta: { roles: STAFF_ROLES, title: 'staffToday.title', tab: true } },
  { name: 'staff-fulfil', path: '/staff/fulfil', component: () => import('@/pages/staff-fulfil/StaffFulfilPage.vue'), meta: { roles: STAFF_ROLES, title: 'staffFulfil.title', tab: true } },
  { name: 'staff-activities', path: '/staff/activities', component: () => import('@/pages/staff-activities/StaffActivitiesPage.vue'), meta: { roles: STAFF_ROLES, title: 'staffActivities.title', tab: true } },
  { name: 'admin-home', path: '/admin', component: () => import('@/pages/admin/AdminHomePage.vue'), meta: { roles: ADMIN_ROLES, title: 'admin.title', tab: true } },
  { name: 'partner-home', path: '/partner', component: () => import('@/pages/partner/PartnerHonourPage.vue'), meta: { roles: PARTNER_ROLES, title: 'partner.title', tab: true } },
]

/** Pages pushed over the tabs, with a back arrow. */
export const pageRoutes: AppRoute[] = [
  { name: 'login', path: '/login', component: () => import('@/pages/login/LoginPage.vue'), meta: { public: true, anonymousOnly: true, title: 'login.title' } },
  { name: 'register', path: '/register', component: () => import('@/pages/register/RegisterPage.vue'), meta: { public: true, anonymousOnly: true, title: 'register.title', description: 'register.intro' } },
  { name: 'forgot-password', path: '/forgot-password', component: () => import('@/pages/forgot-password/ForgotPasswordPage.vue'), meta: { public: true, anonymousOnly: true, title: 'forgot.title' } },
  { name: 'donations', path: '/donations', component: () => import('@/pages/donations/DonationsPage.vue'), meta: { roles: DONOR_ROLES, title: 'donations.title' } },
  { name: 'donation-visibility', path: '/donations/visibility', component: () => import('@/pages/donation-visibility/DonationVisibilityPage.vue'), meta: { roles: DONOR_ROLES, title: 'donationVisibility.title' } },
  { name: 'receipt', path: '/donations/:id/receipt', component: () => import('@/pages/receipt/ReceiptPage.vue'), meta: { roles: [...DONOR_ROLES, ...STAFF_ROLES], title: 'receipt.title' } },
  { name: 'statement', path: '/statement', component: () => import('@/pages/statement/StatementPage.vue'), meta: { roles: DONOR_ROLES, title: 'statement.title' } },
  { name: 'redemptions', path: '/redemptions', component: () => import('@/pages/redemptions/RedemptionsPage.vue'), meta: { roles: DONOR_ROLES, title: 'redemptions.title' } },
  { name: 'activity', path: '/activities/:id', component: () => import('@/pages/activity/ActivityPage.vue'), meta: { public: true, title: 'activity.title', description: 'share.activities' } },
  // Volunteers are residents: the API takes check-ins, hours and perks from RESIDENT only.
  { name: 'checkin', path: '/checkin', component: () => import('@/pages/checkin/CheckinPage.vue'), meta: { roles: RESIDENT_ROLES, title: 'checkin.title' } },
  { name: 'hours', path: '/hours', component: () => import('@/pages/hours/HoursPage.vue'), meta: { roles: RESIDENT_ROLES, title: 'hours.title' } },
  { name: 'certificate', path: '/hours/certificate', component: () => import('@/pages/certificate/CertificatePage.vue'), meta: { roles: RESIDENT_ROLES, title: 'hours.certificate' } },
  { name: 'privacy', path: '/privacy', component: () => import('@/pages/privacy/PrivacyPage.vue'), meta: { public: true, title: 'privacy.title' } },
  { name: 'delete-account', path: '/me/delete', component: () => import('@/pages/delete-account/DeleteAccountPage.vue'), meta: { roles: RESIDENT_ROLES, title: 'deleteAccount.title' } },
  { name: 'password', path: '/me/password', component: () => import('@/pages/password/PasswordPage.vue'), meta: { roles: ALL_ROLES, title: 'password.title' } },
  { name: 'baijiaxin', path: '/baijiaxin', component: () => import('@/pages/baijiaxin/BaijiaxinPage.vue'), meta: { roles: RESIDENT_ROLES, title: 'baijiaxin.title' } },
  { name: 'perks', path: '/perks', component: () => import('@/pages/perks/PerksPage.vue'), meta: { roles: RESIDENT_ROLES, title: 'perks.title' } },
  { name: 'projects', path: '/projects', component: () => import('@/pages/projects/ProjectsPage.vue'), meta: { public: true, title: 'projects.title', description: 'share.projects' } },
  { name: 'project', path: '/projects/:id', component: () => import('@/pages/project/ProjectPage.vue'), meta: { public: true, title: 'projects.title', description: 'share.projects' } },
  { name: 'editions', path: '/board/editions', component: () => import('@/pages/editions/EditionsPage.vue'), meta: { public: true, title: 'editions.title', description: 'share.editions' } },
  { name: 'edition', path: '/board/editions/:number(\\d+)', component: () => import('@/pages/edition/EditionPage.vue'), meta: { public: true, title: 'editions.one', description: 'share.editions' } },
  // Printed receipts and statements carry a QR code of these addresses.
  { name: 'verify', path: '/verify', component: () => import('@/pages/verify/VerifyPage.vue'), meta: { public: true, title: 'verify.title', description: 'share.verify' } },
  { name: 'verify-receipt', path: '/verify/receipt/:code', component: () => import('@/pages/verify/VerifyPage.vue'), meta: { public: true, title: 'verify.receiptTitle', description: 'share.verify' } },
  { name: 'verify-statement', path: '/verify/statement/:code', component: () => import('@/pages/verify/VerifyPage.vue'), meta: { public: true, title: 'verify.statementTitle', description: 'share.verify' } },
  { name: 'verify-certificate', path: '/verify/certificate/:code', component: () => import('@/pages/verify/VerifyPage.vue'), meta: { public: true, title: 'verify.certificateTitle', description: 'share.verify' } },
  { name: 'staff-activity', path: '/staff/activities/:id', component: () => import('@/pages/staff-activity/StaffActivityPage.vue'), meta: { roles: STAFF_ROLES, title: 'staffActivities.attendance' } },
  { name: 'partner-honour', path: '/partner/honour', redirect: { name: 'partner-home' } },
  { name: 'staff-desk', path: '/staff/desk', component: () => import('@/pages/staff-desk/StaffDeskPage.vue'), meta: { roles: DESK_ROLES, title: 'desk.title' } },
  { name: 'staff-projects', path: '/staff/projects', component: () => import('@/pages/staff-projects/StaffProjectsPage.vue'), meta: { roles: DESK_ROLES, title: 'manage.title' } },
  { name: 'admin-orgs', path: '/admin/orgs', component: () => import('@/pages/admin-orgs/AdminOrgsPage.vue'), meta: { roles: ADMIN_ROLES, title: 'orgs.title' } },
  { name: 'admin-accounts', path: '/admin/accounts', component: () => import('@/pages/admin-accounts/AdminAccountsPage.vue'), meta: { roles: ADMIN_ROLES, title: 'accounts.title' } },
]
