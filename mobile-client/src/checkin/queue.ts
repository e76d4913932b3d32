// The one deliberate offline write: a check-in (or check-out) code scanned or typed without
// signal is kept on the phone and sent when the signal returns. The API counts a code at the
// time signed into it for 24 hours, so sending it late loses nothing. Pure functions here;
// the store (stores/checkins.ts) keeps the list in localStorage.
import type { ErrorCode } from '@/graphql/errors'

export type CheckinKind = 'IN' | 'OUT'

export interface PendingCheckin {
  /** Local id, for the list. */
  id: string
  /** The account that scanned it: only that account ever sends it. */
  accountId: string
  code: string
  kind: CheckinKind
  /** Read from the code itself (null when the code is not one we can read). */
  activityId: string | null
  /** When the staff screen showed it: the time it counts at. */
  signedAt: string | null
  /** When it was kept on the phone. */
  savedAt: string
  /** Set when the API refused it: it stays listed (never sent again) until dismissed. */
  refused: ErrorCode | null
}

/** How long after it was shown the API still takes a code. */
export const SUBMIT_WINDOW_MS = 24 * 60 * 60 * 1000
const PREFIX = 'DTCK1.'

/** The letters of a typed short code (as the API's): nothing readable two ways, no 0/O/1/I/L. */
const SHORT_CODE = /^[2-9A-HJKMNP-Z]{6}$/

/** A typed short code (six characters shown beside the QR), without case, spaces or dashes. */
export function readShortCode(raw: string): string | null {
  const code = raw.replace(/[\s-]+/g, '').toUpperCase()
  return SHORT_CODE.test(code) ? code : null
}

/** A typed or scanned code as the API wants it: no spaces or line breaks; a short code in capitals. */
export function normaliseCode(raw: string): string {
  return readShortCode(raw) ?? raw.replace(/\s+/g, '')
}

function base64UrlDecode(part: string): string | null {
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/')
    const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4)
    return atob(padded)
  } catch {
    return null
  }
}

/** The code carries the activity's UUID without dashes; the API's ids have them. */
function hyphenatedUuid(id: string): string {
  const m = /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/i.exec(id)
  return m ? `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`.toLowerCase() : id
}

export interface CodeContents {
  activityId: string
  signedAt: string
  submitBefore: string
}

/**
 * What a check-in code says about itself: `DTCK1.<base64url("<activity>.<issued>.<expires>")>.<sig>`.
 * Only the server can tell whether it is genuine; this reads the activity and time for display.
 */
export function readCheckinCode(raw: string): CodeContents | null {
  const code = normaliseCode(raw)
  if (!code.startsWith(PREFIX)) return null
  const parts = code.slice(PREFIX.length).split('.')
  if (parts.length !== 2 || !parts[0] || !parts[1]) return null
  const body = base64UrlDecode(parts[0])
  if (!body) return null
  const fields = body.split('.')
  if (fields.length !== 3) return null
  const [activityId, issued, expires] = fields as [string, string, string]
  const issuedSecs = Number(issued)
  const expiresSecs = Number(expires)
  if (!activityId || !Number.isInteger(issuedSecs) || !Number.isInteger(expiresSecs)) return null
  return {
    activityId: hyphenatedUuid(activityId),
    signedAt: new Date(issuedSecs * 1000).toISOString(),
    submitBefore: new Date(issuedSecs * 1000 + SUBMIT_WINDOW_MS).toISOString(),
  }
}

/** Whether the text looks like a check-in code at all (checked before keeping it offline). */
export function isCheckinCode(raw: string): boolean {
  return readCheckinCode(raw) !== null || readShortCode(raw) !== null
}

let counter = 0
function localId(now: Date): string {
  counter += 1
  return `${now.getTime().toString(36)}-${counter.toString(36)}`
}

/** Keep a code; the same code and kind kept twice stays one entry. */
export function enqueue(
  list: readonly PendingCheckin[],
  /** `activityId`: the activity whose page the code was typed on, for a code that names none. */
  input: { accountId: string; code: string; kind: CheckinKind; activityId?: string | null },
  now: Date = new Date(),
): PendingCheckin[] {
  const code = normaliseCode(input.code)
  if (list.some((p) => p.code === code && p.kind === input.kind && p.accountId === input.accountId)) return [...list]
  const contents = readCheckinCode(code)
  return [
    ...list,
    {
      id: localId(now),
      accountId: input.accountId,
      code,
      kind: input.kind,
      activityId: contents?.activityId ?? input.activityId ?? null,
      // A short code names no activity; it was on the screen when it was typed.
      signedAt: contents?.signedAt ?? (readShortCode(code) ? now.toISOString() : null),
      savedAt: now.toISOString(),
      refused: null,
    },
  ]
}

/** How one attempt to send a kept code ended. */
export type SendOutcome = { kind: 'sent' } | { kind: 'retry' } | { kind: 'refused'; code: ErrorCode }

/** A failed send's code → keep for later (no signal, server busy, session refreshing) or give up. */
export function outcomeOf(error: ErrorCode | null): SendOutcome {
  if (error === null) return { kind: 'sent' }
  switch (error) {
    case 'NETWORK':
    case 'UNAVAILABLE':
    case 'RATE_LIMITED':
    case 'UNAUTHENTICATED':
      return { kind: 'retry' }
    default:
      return { kind: 'refused', code: error }
  }
}

/** Codes of this account still waiting to be sent (refused ones are not sent again). */
export function waiting(list: readonly PendingCheckin[], accountId: string): PendingCheckin[] {
  return list.filter((p) => p.accountId === accountId && p.refused === null)
}

export interface FlushReport {
  list: PendingCheckin[]
  sent: PendingCheckin[]
  refused: PendingCheckin[]
}

/**
 * Send this account's waiting codes, oldest first, one at a time. Sent codes leave the list,
 * refused ones stay marked, and at the first "try later" the rest wait for the next signal.
 */
export async function flush(
  list: readonly PendingCheckin[],
  accountId: string,
  send: (item: PendingCheckin) => Promise<SendOutcome>,
): Promise<FlushReport> {
  let current = [...list]
  const sent: PendingCheckin[] = []
  const refused: PendingCheckin[] = []
  for (const item of waiting(list, accountId)) {
    const outcome = await send(item)
    if (outcome.kind === 'retry') break
    if (outcome.kind === 'sent') {
      current = current.filter((p) => p.id !== item.id)
      sent.push(item)
    } else {
      const marked = { ...item, refused: outcome.code }
      current = current.map((p) => (p.id === item.id ? marked : p))
      refused.push(marked)
    }
  }
  return { list: current, sent, refused }
}

/** Read the kept list back, dropping anything malformed (an older app version, a hand edit). */
export function parseStored(raw: string | null): PendingCheckin[] {
  if (!raw) return []
  try {
    const value: unknown = JSON.parse(raw)
    if (!Array.isArray(value)) return []
    return value.filter(
      (p): p is PendingCheckin =>
        typeof p === 'object' &&
        p !== null &&
        typeof p.id === 'string' &&
        typeof p.accountId === 'string' &&
        typeof p.code === 'string' &&
        (p.kind === 'IN' || p.kind === 'OUT'),
    )
  } catch {
    return []
  }
}
