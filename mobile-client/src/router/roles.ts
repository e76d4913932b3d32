// Who may open which screen, and where each role lands. Pure functions, unit-tested.
import type { Role } from '@/gql/graphql'

/** Donors with a credit account: they see the resident screens. */
export const DONOR_ROLES = ['RESIDENT', 'ENTERPRISE'] as const satisfies readonly Role[]
/** Volunteers: sign-ups, check-ins, hours, 百家信 and perks are the resident's own. */
export const RESIDENT_ROLES = ['RESIDENT'] as const satisfies readonly Role[]
export const STAFF_ROLES = ['ORG_STAFF'] as const satisfies readonly Role[]
export const PARTNER_ROLES = ['PARTNER_STAFF'] as const satisfies readonly Role[]
export const ADMIN_ROLES = ['ADMIN'] as const satisfies readonly Role[]
/** Who registers residents at a desk and manages projects and campaigns: charity staff, the bureau. */
export const DESK_ROLES = ['ORG_STAFF', 'ADMIN'] as const satisfies readonly Role[]
export const ALL_ROLES = [
  'RESIDENT',
  'ENTERPRISE',
  'ORG_STAFF',
  'PARTNER_STAFF',
  'ADMIN',
] as const satisfies readonly Role[]

/** Names of the screens a role can land on. */
export type HomeRouteName = 'home' | 'staff-donate' | 'partner-home' | 'admin-home'

export function homeRouteFor(role: Role): HomeRouteName {
  switch (role) {
    case 'RESIDENT':
    case 'ENTERPRISE':
      return 'home'
    case 'ORG_STAFF':
      return 'staff-donate'
    case 'PARTNER_STAFF':
      return 'partner-home'
    case 'ADMIN':
      // The district administers through its console; on the phone: indicators, overdue
      // questions and publishing editions.
      return 'admin-home'
  }
}

export interface GuardMeta {
  /** Open without logging in (the login screen, the public pages). */
  public?: boolean
  /** For the logged-out only (login, the public home). */
  anonymousOnly?: boolean
  /** Roles that may open the screen; every logged-in role when left out. */
  roles?: readonly Role[]
}

export type GuardDecision = 'allow' | 'login' | 'home'

/** What the router does with a navigation: let it through, ask to log in, or go home. */
export function decide(meta: GuardMeta, role: Role | null): GuardDecision {
  if (meta.anonymousOnly && role !== null) return 'home'
  if (meta.public) return 'allow'
  if (role === null) return 'login'
  if (meta.roles && !meta.roles.includes(role)) return 'home'
  return 'allow'
}

/**
 * Where to go after logging in: the `redirect` query if it is a path inside the app that
 * the role may open (a public page too: the activity the person wanted to sign up for),
 * otherwise the role's home. Never an outside address, never back to login.
 */
export function afterLoginTarget(
  redirect: unknown,
  role: Role,
  metaOf: (path: string) => GuardMeta | null,
): string | { name: HomeRouteName } {
  if (typeof redirect === 'string' && redirect.startsWith('/') && !redirect.startsWith('//')) {
    const meta = metaOf(redirect)
    if (meta && decide(meta, role) === 'allow') return redirect
  }
  return { name: homeRouteFor(role) }
}
