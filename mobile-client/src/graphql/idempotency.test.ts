import { afterEach, describe, expect, it, vi } from 'vitest'
import { CombinedError } from '@urql/core'
import { GraphQLError } from 'graphql'
import { SubmissionKey, newIdempotencyKey } from './idempotency'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

function apiError(code: string) {
  return new CombinedError({ graphQLErrors: [new GraphQLError('x', { extensions: { code } })] })
}
const networkError = () => new CombinedError({ networkError: new TypeError('Failed to fetch') })

describe('idempotency keys', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('are random v4 UUIDs', () => {
    const a = newIdempotencyKey()
    expect(a).toMatch(UUID)
    expect(newIdempotencyKey()).not.toBe(a)
  })

  it('are made without crypto.randomUUID too (plain http)', () => {
    const real = globalThis.crypto
    vi.stubGlobal('crypto', { getRandomValues: (b: Uint8Array) => real.getRandomValues(b) })
    expect(newIdempotencyKey()).toMatch(UUID)
  })
})

describe('a submission key', () => {
  it('is reused by the retry of a submission whose answer was lost', () => {
    let n = 0
    const attempt = new SubmissionKey(() => `k${++n}`)
    expect(attempt.key()).toBe('k1')
    attempt.settle(networkError())
    expect(attempt.key()).toBe('k1')
    attempt.settle(apiError('UNAVAILABLE'))
    expect(attempt.key()).toBe('k1')
    attempt.settle(apiError('RATE_LIMITED'))
    expect(attempt.current).toBe('k1')
  })

  it('is new for the next submission after a success', () => {
    let n = 0
    const attempt = new SubmissionKey(() => `k${++n}`)
    attempt.key()
    attempt.settle()
    expect(attempt.current).toBeNull()
    expect(attempt.key()).toBe('k2')
  })

  it('is new after a final refusal, so corrected input is not a conflicting replay', () => {
    let n = 0
    const attempt = new SubmissionKey(() => `k${++n}`)
    attempt.key()
    attempt.settle(apiError('BAD_USER_INPUT'))
    expect(attempt.key()).toBe('k2')
    attempt.settle(apiError('CONFLICT'))
    expect(attempt.key()).toBe('k3')
    attempt.reset()
    expect(attempt.current).toBeNull()
  })
})
