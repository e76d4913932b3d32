import { describe, expect, it } from 'vitest'
import { CombinedError } from '@urql/core'
import { GraphQLError } from 'graphql'
import { errorCode, errorField, isRetryable, isUnauthenticated, notStartedUntil, retryAfterSeconds } from './errors'

const api = (code: unknown, extra: Record<string, unknown> = {}) =>
  new CombinedError({ graphQLErrors: [new GraphQLError('m', { extensions: { code, ...extra } })] })

describe('API errors', () => {
  it('are read by their extensions.code', () => {
    expect(errorCode(api('FORBIDDEN'))).toBe('FORBIDDEN')
    expect(errorCode(api('CONFLICT'))).toBe('CONFLICT')
  })

  it('without a known code count as INTERNAL', () => {
    expect(errorCode(api(undefined))).toBe('INTERNAL')
    expect(errorCode(api('SOMETHING_NEW'))).toBe('INTERNAL')
  })

  it('that never reached the API are NETWORK and retryable', () => {
    const e = new CombinedError({ networkError: new TypeError('Failed to fetch') })
    expect(errorCode(e)).toBe('NETWORK')
    expect(isRetryable(e)).toBe(true)
    expect(isRetryable(api('BAD_USER_INPUT'))).toBe(false)
  })

  it('say when the activity starts when a check-out came too early', () => {
    const early = api('BAD_USER_INPUT', { field: 'code', startsAt: '2026-12-05T02:00:00+00:00' })
    expect(notStartedUntil(early)).toBe('2026-12-05T02:00:00+00:00')
    expect(notStartedUntil(api('BAD_USER_INPUT', { field: 'code' }))).toBeNull()
  })

  it('name the offending input field', () => {
    expect(errorField(api('BAD_USER_INPUT', { field: 'donorPhone' }))).toBe('donorPhone')
    expect(errorField(api('CONFLICT'))).toBeNull()
  })

  it('recognise an ended session', () => {
    expect(isUnauthenticated(api('UNAUTHENTICATED'))).toBe(true)
    expect(isUnauthenticated(api('FORBIDDEN'))).toBe(false)
  })

  it('say how long a rate limit asks to wait', () => {
    expect(retryAfterSeconds(api('RATE_LIMITED', { retryAfterSecs: 60 }))).toBe(60)
    expect(retryAfterSeconds(api('RATE_LIMITED', { retryAfter: 42.2 }))).toBe(43)
    expect(retryAfterSeconds(api('RATE_LIMITED'))).toBeNull()
    expect(retryAfterSeconds(api('BAD_USER_INPUT', { retryAfterSecs: 60 }))).toBeNull()
  })
})
