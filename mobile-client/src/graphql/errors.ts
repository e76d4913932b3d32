// What went wrong with a GraphQL call, as a stable code. The API puts a SCREAMING_SNAKE code
// in every error's `extensions.code`; a request that never reached it is NETWORK. The words
// for each code live in the locales (errors.*), mapped there once.
import type { CombinedError } from '@urql/core'

export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'UNAVAILABLE',
  'INTERNAL',
  'NETWORK',
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

function knownCode(code: unknown): ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code)
    ? (code as ErrorCode)
    : 'INTERNAL'
}

export function errorCode(error: CombinedError): ErrorCode {
  if (error.networkError && error.graphQLErrors.length === 0) return 'NETWORK'
  return knownCode(error.graphQLErrors[0]?.extensions?.code)
}

/** The input field a BAD_USER_INPUT error names (e.g. "donorPhone"), if any. */
export function errorField(error: CombinedError): string | null {
  const field = error.graphQLErrors.find((e) => e.extensions?.code === 'BAD_USER_INPUT')?.extensions
    ?.field
  return typeof field === 'string' ? field : null
}

/** When the activity starts, if the API refused a check-out as too early (`startsAt`). */
export function notStartedUntil(error: CombinedError): string | null {
  const startsAt = error.graphQLErrors.find((e) => typeof e.extensions?.startsAt === 'string')?.extensions
    ?.startsAt
  return typeof startsAt === 'string' ? startsAt : null
}

/**
 * How many seconds a RATE_LIMITED answer asks to wait, if it says. The API sends
 * `retryAfterSecs`; its schema text calls it `retryAfter`, so either is read.
 */
export function retryAfterSeconds(error: CombinedError): number | null {
  const extensions = error.graphQLErrors.find((e) => e.extensions?.code === 'RATE_LIMITED')?.extensions
  const seconds = Number(extensions?.retryAfterSecs ?? extensions?.retryAfter)
  return Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : null
}

/** Whether sending the very same request again (same idempotency key) may succeed. */
export function isRetryable(error: CombinedError): boolean {
  const code = errorCode(error)
  return code === 'NETWORK' || code === 'UNAVAILABLE' || code === 'RATE_LIMITED'
}

export function isUnauthenticated(error: CombinedError): boolean {
  return error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')
}

/** The same, for a code already read from the error. */
export function isRetryableCode(code: ErrorCode): boolean {
  return code === 'NETWORK' || code === 'UNAVAILABLE' || code === 'RATE_LIMITED'
}
