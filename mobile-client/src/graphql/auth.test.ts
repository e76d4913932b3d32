import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { Client, CombinedError, fetchExchange } from '@urql/core'
import { GraphQLError, parse } from 'graphql'
import { useSessionStore, type AuthPayloadLike } from '@/stores/session'
import { auth, onSessionExpired, refreshOutcome } from './auth'

const MeQuery = parse('query AuthTestMe { me { id } }')

const DAY = 86_400_000
function session(accessExpiresIn: number): AuthPayloadLike {
  return {
    accessToken: 'access-old',
    accessTokenExpiresAt: new Date(Date.now() + accessExpiresIn).toISOString(),
    refreshToken: 'refresh-old',
    refreshTokenExpiresAt: new Date(Date.now() + 30 * DAY).toISOString(),
    account: { id: 'a1', displayName: '陈晓明', role: 'RESIDENT', org: null, partner: null },
  }
}

const apiError = (code: string) => ({ errors: [{ message: code, extensions: { code } }], data: null })
const json = (body: unknown) =>
  new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } })

/** A client with the real auth exchange in front of a fake API that answers `refreshToken` as told. */
function clientWith(refreshAnswer: () => Response | Promise<Response>) {
  const calls: string[] = []
  const fetchFn = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as { query: string }
    if (body.query.includes('refreshToken(')) {
      calls.push('refresh')
      return refreshAnswer()
    }
    calls.push('me')
    return json(apiError('UNAUTHENTICATED'))
  })
  const client = new Client({ url: 'http://api.test/graphql', exchanges: [auth, fetchExchange], fetch: fetchFn as typeof fetch, preferGetMethod: false })
  return { client, calls }
}

describe('auth exchange', () => {
  const expired = vi.fn()
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
    expired.mockReset()
    onSessionExpired(expired)
  })

  it('keeps a signed-in person signed in when the API cannot check the session (UNAVAILABLE)', async () => {
    useSessionStore().signIn(session(-60_000))
    const { client, calls } = clientWith(() => json(apiError('UNAVAILABLE')))
    await client.query(MeQuery, {}).toPromise()
    expect(calls).toContain('refresh')
    expect(useSessionStore().isAuthenticated).toBe(true)
    expect(useSessionStore().refreshToken).toBe('refresh-old')
    expect(expired).not.toHaveBeenCalled()
  })

  it('keeps the session when the refresh never reaches the API', async () => {
    useSessionStore().signIn(session(-60_000))
    const { client, calls } = clientWith(() => Promise.reject(new TypeError('Failed to fetch')))
    await client.query(MeQuery, {}).toPromise()
    expect(calls).toContain('refresh')
    expect(useSessionStore().isAuthenticated).toBe(true)
    expect(expired).not.toHaveBeenCalled()
  })

  it('signs out only when the API refuses the refresh token (UNAUTHENTICATED)', async () => {
    useSessionStore().signIn(session(-60_000))
    const { client, calls } = clientWith(() => json(apiError('UNAUTHENTICATED')))
    await client.query(MeQuery, {}).toPromise()
    expect(calls).toContain('refresh')
    expect(useSessionStore().isAuthenticated).toBe(false)
    expect(expired).toHaveBeenCalledOnce()
  })
})

describe('refresh outcome', () => {
  const err = (code: string) => new CombinedError({ graphQLErrors: [new GraphQLError('m', { extensions: { code } })] })
  it('is "retry later" for UNAVAILABLE, rate limits and network errors', () => {
    expect(refreshOutcome({ error: err('UNAVAILABLE') })).toBe('retry-later')
    expect(refreshOutcome({ error: err('RATE_LIMITED') })).toBe('retry-later')
    expect(refreshOutcome({ error: new CombinedError({ networkError: new TypeError('Failed to fetch') }) })).toBe('retry-later')
  })
  it('is "signed out" for UNAUTHENTICATED and "signed in" for a fresh pair', () => {
    expect(refreshOutcome({ error: err('UNAUTHENTICATED') })).toBe('signed-out')
    expect(refreshOutcome({ data: { refreshToken: {} } })).toBe('signed-in')
  })
})
