// Idempotency keys for writes that move money, credits or stock. One key belongs to one
// submission: a retry of the same submission (after a timeout, lost signal or UNAVAILABLE)
// reuses it, so the API answers with the first result instead of writing twice.
import type { CombinedError } from '@urql/core'
import { isRetryable } from './errors'

/** A random UUID v4, also where `crypto.randomUUID` is missing (plain http on a LAN). */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto
  if (typeof c?.randomUUID === 'function') return c.randomUUID()
  const bytes = new Uint8Array(16)
  c.getRandomValues(bytes)
  bytes[6] = (bytes[6]! & 0x0f) | 0x40
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/**
 * Tracks the key of the submission in progress. `key()` hands out the pending key (a new
 * one if there is none); `settle()` reports how the attempt ended: a success or a final
 * refusal frees the key, a retryable failure keeps it for the retry.
 */
export class SubmissionKey {
  private pending: string | null = null

  constructor(private readonly make: () => string = newIdempotencyKey) {}

  key(): string {
    this.pending ??= this.make()
    return this.pending
  }

  /** The key a retry would reuse, if an attempt is still unsettled. */
  get current(): string | null {
    return this.pending
  }

  settle(error?: CombinedError | null): void {
    if (error && isRetryable(error)) return
    this.pending = null
  }

  /** Start over, e.g. when the person clears the form for a new donation. */
  reset(): void {
    this.pending = null
  }
}
