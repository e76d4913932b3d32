// The bottom tabs and the home shortcuts, per role. Later screens are declared here already
// behind their feature flag (see features.ts), so adding one is a flag and a page.
import type { Role } from '@/gql/graphql'
import type { MessageKey } from '@/locales'
import { isEnabled, type Feature } from './features'
import { ADMIN_ROLES, DESK_ROLES, DONOR_ROLES, PARTNER_ROLES, RESIDENT_ROLES, STAFF_ROLES, ALL_ROLES } from './roles'
import type { AppRouteName } from './routes'

export interface NavEntry {
  route: AppRouteName
  /** A Vant icon name. */
  icon: string
  label: MessageKey
  roles: readonly Role[]
  /** Shown to visitors who have not logged in (the public pages). */
  anonymous?: boolean
  feature?: Feature
}

export const TABS: readonly NavEntry[] = [
  { route: 'welcome', icon: 'home-o', label: 'nav.home', roles: [], anonymous: true },
  { route: 'home', icon: 'home-o', label: 'nav.home', roles: DONOR_ROLES },
  { route: 'admin-home', icon: 'chart-trending-o', label: 'nav.adminHome', roles: ADMIN_ROLES },
  { route: 'activities', icon: 'flag-o', label: 'nav.activities', roles: DONOR_ROLES, anonymous: true, feature: 'activities' },
  { route: 'board', icon: 'bar-chart-o', label: 'nav.board', roles: [...DONOR_ROLES, ...ADMIN_ROLES], anonymous: true, feature: 'board' },
  { route: 'ledger', icon: 'balance-list-o', label: 'nav.ledger', roles: DONOR_ROLES },
  { route: 'rewards', icon: 'gift-o', label: 'nav.rewards', roles: DONOR_ROLES },
  { route: 'staff-donate', icon: 'add-o', label: 'nav.staffDonate', roles: STAFF_ROLES },
  { route: 'staff-today', icon: 'orders-o', label: 'nav.staffToday', roles: STAFF_ROLES },
  { route: 'staff-fulfil', icon: 'passed', label: 'nav.staffFulfil', roles: STAFF_ROLES },
  { route: 'staff-activities', icon: 'flag-o', label: 'nav.staffActivities', roles: STAFF_ROLES, feature: 'staffActivities' },
  { route: 'partner-home', icon: 'coupon-o', label: 'nav.partnerHome', roles: PARTNER_ROLES },
  { route: 'profile', icon: 'user-o', label: 'nav.profile', roles: ALL_ROLES },
  { route: 'login', icon: 'user-o', label: 'nav.login', roles: [], anonymous: true },
]

export const HOME_SHORTCUTS: readonly NavEntry[] = [
  { route: 'ledger', icon: 'balance-list-o', label: 'shortcuts.ledger', roles: DONOR_ROLES },
  { route: 'donations', icon: 'gold-coin-o', label: 'shortcuts.donations', roles: DONOR_ROLES },
  { route: 'statement', icon: 'description-o', label: 'shortcuts.statement', roles: DONOR_ROLES },
  { route: 'rewards', icon: 'gift-o', label: 'shortcuts.rewards', roles: DONOR_ROLES },
  { route: 'redemptions', icon: 'bag-o', label: 'shortcuts.redemptions', roles: DONOR_ROLES },
  { route: 'activities', icon: 'flag-o', label: 'shortcuts.activities', roles: DONOR_ROLES, feature: 'activities' },
  { route: 'checkin', icon: 'scan', label: 'shortcuts.checkin', roles: RESIDENT_ROLES, feature: 'checkin' },
  { route: 'hours', icon: 'clock-o', label: 'shortcuts.hours', roles: RESIDENT_ROLES, feature: 'hours' },
  { route: 'perks', icon: 'coupon-o', label: 'shortcuts.perks', roles: RESIDENT_ROLES, feature: 'perks' },
  { route: 'board', icon: 'bar-chart-o', label: 'shortcuts.board', roles: DONOR_ROLES, feature: 'board' },
  { route: 'projects', icon: 'cluster-o', label: 'shortcuts.projects', roles: DONOR_ROLES, feature: 'projects' },
]

/** The work of charity staff and the bureau beyond their tabs (on their profile and the bureau's home). */
export const WORK_SHORTCUTS: readonly NavEntry[] = [
  { route: 'staff-desk', icon: 'user-circle-o', label: 'shortcuts.desk', roles: DESK_ROLES },
  { route: 'staff-projects', icon: 'cluster-o', label: 'shortcuts.manage', roles: DESK_ROLES },
  { route: 'admin-orgs', icon: 'wap-home-o', label: 'shortcuts.orgs', roles: ADMIN_ROLES },
  { route: 'admin-accounts', icon: 'manager-o', label: 'shortcuts.accounts', roles: ADMIN_ROLES },
]

/** A role's entries; a visitor who has not logged in gets the public ones. */
export function entriesFor(entries: readonly NavEntry[], role: Role | null): NavEntry[] {
  return entries.filter((e) => (role ? e.roles.includes(role) : !!e.anonymous) && isEnabled(e.feature))
}
