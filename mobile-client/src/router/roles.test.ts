import { describe, expect, it } from 'vitest'
import { RESIDENT_ROLES, afterLoginTarget, decide, homeRouteFor, type GuardMeta } from './roles'
import { TABS, HOME_SHORTCUTS, WORK_SHORTCUTS, entriesFor } from './navigation'

describe('role routing', () => {
  it('lands each role on its own home', () => {
    expect(homeRouteFor('RESIDENT')).toBe('home')
    expect(homeRouteFor('ENTERPRISE')).toBe('home')
    expect(homeRouteFor('ORG_STAFF')).toBe('staff-donate')
    expect(homeRouteFor('PARTNER_STAFF')).toBe('partner-home')
    expect(homeRouteFor('ADMIN')).toBe('admin-home')
  })

  it('sends the logged-out to login and the wrong role home', () => {
    const staffOnly: GuardMeta = { roles: ['ORG_STAFF'] }
    expect(decide(staffOnly, null)).toBe('login')
    expect(decide(staffOnly, 'RESIDENT')).toBe('home')
    expect(decide(staffOnly, 'ORG_STAFF')).toBe('allow')
    expect(decide({ public: true }, null)).toBe('allow')
    expect(decide({ public: true }, 'RESIDENT')).toBe('allow')
    expect(decide({ public: true, anonymousOnly: true }, 'RESIDENT')).toBe('home')
    expect(decide({ public: true, anonymousOnly: true }, null)).toBe('allow')
    expect(decide({}, 'PARTNER_STAFF')).toBe('allow')
  })

  it('returns after login to the page the session ended on', () => {
    const metaOf = (path: string): GuardMeta | null =>
      path.startsWith('/ledger') ? { roles: ['RESIDENT'] } : path === '/login' ? { public: true } : null
    expect(afterLoginTarget('/ledger?x=1', 'RESIDENT', metaOf)).toBe('/ledger?x=1')
  })

  it('returns to the public page the visitor logged in from, never to login itself', () => {
    const metaOf = (path: string): GuardMeta | null =>
      path.startsWith('/activities/') ? { public: true } : path === '/login' ? { public: true, anonymousOnly: true } : null
    expect(afterLoginTarget('/activities/a1', 'RESIDENT', metaOf)).toBe('/activities/a1')
    expect(afterLoginTarget('/login', 'RESIDENT', metaOf)).toEqual({ name: 'home' })
  })

  it('never returns to another role’s page, an unknown page or another site', () => {
    const metaOf = (path: string): GuardMeta | null => (path === '/staff/donate' ? { roles: ['ORG_STAFF'] } : null)
    expect(afterLoginTarget('/staff/donate', 'RESIDENT', metaOf)).toEqual({ name: 'home' })
    expect(afterLoginTarget('/nowhere', 'RESIDENT', metaOf)).toEqual({ name: 'home' })
    expect(afterLoginTarget('//evil.example/x', 'RESIDENT', () => ({}))).toEqual({ name: 'home' })
    expect(afterLoginTarget('https://evil.example', 'ORG_STAFF', () => ({}))).toEqual({ name: 'staff-donate' })
    expect(afterLoginTarget(undefined, 'ORG_STAFF', metaOf)).toEqual({ name: 'staff-donate' })
  })
})

describe('navigation', () => {
  it('shows each role its own tabs', () => {
    const resident = entriesFor(TABS, 'RESIDENT').map((t) => t.route)
    expect(resident).toEqual(['home', 'activities', 'board', 'ledger', 'rewards', 'profile'])
    expect(entriesFor(TABS, 'ORG_STAFF').map((t) => t.route)).toEqual(['staff-donate', 'staff-today', 'staff-fulfil', 'staff-activities', 'profile'])
    expect(entriesFor(TABS, 'PARTNER_STAFF').map((t) => t.route)).toEqual(['partner-home', 'profile'])
    expect(entriesFor(TABS, 'ADMIN').map((t) => t.route)).toEqual(['admin-home', 'board', 'profile'])
    expect(entriesFor(TABS, null).map((t) => t.route)).toEqual(['welcome', 'activities', 'board', 'login'])
  })

  it('offers the volunteer shortcuts to residents only, never to enterprises', () => {
    const resident = entriesFor(HOME_SHORTCUTS, 'RESIDENT').map((t) => t.route)
    expect(resident).toEqual(expect.arrayContaining(['board', 'activities', 'checkin', 'hours', 'perks', 'projects']))
    const enterprise = entriesFor(HOME_SHORTCUTS, 'ENTERPRISE').map((t) => t.route)
    expect(enterprise).toContain('board')
    expect(enterprise).not.toContain('checkin')
    expect(enterprise).not.toContain('perks')
    expect(decide({ roles: RESIDENT_ROLES }, 'ENTERPRISE')).toBe('home')
    expect(decide({ roles: RESIDENT_ROLES }, 'RESIDENT')).toBe('allow')
  })

  it('offers desk registration and projects to charity staff and the bureau, organisations and logins to the bureau alone', () => {
    expect(entriesFor(WORK_SHORTCUTS, 'ORG_STAFF').map((e) => e.route)).toEqual(['staff-desk', 'staff-projects'])
    expect(entriesFor(WORK_SHORTCUTS, 'ADMIN').map((e) => e.route)).toEqual(['staff-desk', 'staff-projects', 'admin-orgs', 'admin-accounts'])
    for (const role of ['RESIDENT', 'ENTERPRISE', 'PARTNER_STAFF'] as const) expect(entriesFor(WORK_SHORTCUTS, role)).toEqual([])
    expect(entriesFor(WORK_SHORTCUTS, null)).toEqual([])
  })
})
