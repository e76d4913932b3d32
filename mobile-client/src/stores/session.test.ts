import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { SESSION_STORAGE_KEY, useSessionStore, type AuthPayloadLike } from './session'

function payload(overrides: Partial<AuthPayloadLike> = {}): AuthPayloadLike {
  return {
    accessToken: 'access-1',
    accessTokenExpiresAt: '2026-11-22T10:15:00Z',
    refreshToken: 'refresh-1',
    refreshTokenExpiresAt: '2026-12-22T10:00:00Z',
    account: { id: 'a1', displayName: '陈晓明', role: 'RESIDENT', org: null, partner: null },
    ...overrides,
  }
}

describe('session store', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
  })

  it('starts logged out', () => {
    const s = useSessionStore()
    expect(s.isAuthenticated).toBe(false)
    expect(s.role).toBeNull()
    expect(s.accessToken).toBeNull()
  })

  it('keeps a login across a reload', () => {
    useSessionStore().signIn(
      payload({ account: { id: 's1', displayName: '工作人员', role: 'ORG_STAFF', org: { id: 'o1', name: '洞头区慈善总会' } } }),
    )
    setActivePinia(createPinia())
    const s = useSessionStore()
    expect(s.isAuthenticated).toBe(true)
    expect(s.role).toBe('ORG_STAFF')
    expect(s.account?.orgId).toBe('o1')
    expect(s.account?.orgName).toBe('洞头区慈善总会')
    expect(s.accessToken).toBe('access-1')
  })

  it('replaces the tokens when they are refreshed', () => {
    const s = useSessionStore()
    s.signIn(payload())
    s.signIn(payload({ accessToken: 'access-2', refreshToken: 'refresh-2' }))
    expect(s.accessToken).toBe('access-2')
    expect(JSON.parse(localStorage.getItem(SESSION_STORAGE_KEY)!).refreshToken).toBe('refresh-2')
  })

  it('forgets everything on sign-out', () => {
    const s = useSessionStore()
    s.signIn(payload())
    s.signOut()
    expect(s.isAuthenticated).toBe(false)
    expect(localStorage.getItem(SESSION_STORAGE_KEY)).toBeNull()
  })

  it('treats the access token as expired a little before its stated expiry', () => {
    const s = useSessionStore()
    s.signIn(payload())
    const expiry = Date.parse('2026-11-22T10:15:00Z')
    expect(s.accessTokenExpired(expiry - 60_000)).toBe(false)
    expect(s.accessTokenExpired(expiry - 10_000)).toBe(true)
    expect(s.refreshTokenExpired(expiry)).toBe(false)
    expect(s.refreshTokenExpired(Date.parse('2027-01-01T00:00:00Z'))).toBe(true)
  })

  it('ignores a damaged stored session', () => {
    localStorage.setItem(SESSION_STORAGE_KEY, '{not json')
    expect(useSessionStore().isAuthenticated).toBe(false)
    setActivePinia(createPinia())
    localStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify({ accessToken: 'x' }))
    expect(useSessionStore().isAuthenticated).toBe(false)
  })
})
