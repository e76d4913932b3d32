import { describe, expect, it } from 'vitest'
import { enqueue, flush, isCheckinCode, normaliseCode, outcomeOf, parseStored, readCheckinCode, readShortCode, waiting, type PendingCheckin, type SendOutcome } from './queue'

const b64url = (s: string) => btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
const ACTIVITY = '0b9c7d2e-1f3a-4b5c-8d6e-7f8091a2b3c4'
const ISSUED = 1_795_000_000
const code = (activity = ACTIVITY, issued = ISSUED) => `DTCK1.${b64url(`${activity}.${issued}.${issued + 60}`)}.${b64url('signature-bytes')}`
const NOW = new Date('2026-11-22T08:00:00Z')

describe('a check-in code', () => {
  it('is read for its activity and the time it counts at', () => {
    const c = readCheckinCode(code())
    expect(c?.activityId).toBe(ACTIVITY)
    expect(c?.signedAt).toBe(new Date(ISSUED * 1000).toISOString())
    expect(c?.submitBefore).toBe(new Date(ISSUED * 1000 + 24 * 3600 * 1000).toISOString())
  })

  it('names the activity by its API id (the code carries the UUID without dashes)', () => {
    expect(readCheckinCode(code(ACTIVITY.replace(/-/g, '')))?.activityId).toBe(ACTIVITY)
  })

  it('typed with spaces and line breaks is the same code', () => {
    const c = code()
    expect(normaliseCode(` ${c.slice(0, 10)}\n ${c.slice(10)} `)).toBe(c)
    expect(readCheckinCode(`${c.slice(0, 10)} ${c.slice(10)}`)?.activityId).toBe(ACTIVITY)
  })

  it('that is not one is not read', () => {
    expect(readCheckinCode('hello')).toBeNull()
    expect(readCheckinCode('DTCK1.')).toBeNull()
    expect(readCheckinCode(`DTCK1.${b64url('only.two')}.sig`)).toBeNull()
    expect(readCheckinCode(`DTCK1.${b64url(`${ACTIVITY}.soon.later`)}.sig`)).toBeNull()
    expect(readCheckinCode(`DTCK2.${b64url(`${ACTIVITY}.1.2`)}.sig`)).toBeNull()
  })
})

describe('a typed short code', () => {
  it('is six unambiguous characters, whatever the case, spaces or dashes', () => {
    expect(readShortCode(' abc-23 4 ')).toBe('ABC234')
    expect(normaliseCode('k7m 9pq')).toBe('K7M9PQ')
    expect(isCheckinCode('k7m9pq')).toBe(true)
  })

  it('with a letter read two ways, or the wrong length, is not one', () => {
    for (const bad of ['ABC10O', 'ABCDEL', 'ABC23', 'ABC2345', 'hello']) {
      expect(readShortCode(bad)).toBeNull()
      expect(isCheckinCode(bad)).toBe(false)
    }
  })

  it('kept offline counts from when it was typed, and names no activity', () => {
    const [kept] = enqueue([], { accountId: 'a', code: 'k7m-9pq', kind: 'IN' }, NOW)
    expect(kept).toMatchObject({ code: 'K7M9PQ', activityId: null, signedAt: NOW.toISOString() })
  })

  it('typed on an activity\'s check-in page, names that activity; a scanned code names its own', () => {
    const [typed] = enqueue([], { accountId: 'a', code: 'k7m-9pq', kind: 'IN', activityId: 'page-activity' }, NOW)
    expect(typed).toMatchObject({ code: 'K7M9PQ', activityId: 'page-activity' })
    const [scanned] = enqueue([], { accountId: 'a', code: code(), kind: 'IN', activityId: 'page-activity' }, NOW)
    expect(scanned).toMatchObject({ activityId: ACTIVITY })
  })
})

describe('the pending check-in queue', () => {
  it('keeps a code once, with what it says about itself', () => {
    let list = enqueue([], { accountId: 'a', code: code(), kind: 'IN' }, NOW)
    list = enqueue(list, { accountId: 'a', code: ` ${code()} `, kind: 'IN' }, NOW)
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({ activityId: ACTIVITY, kind: 'IN', refused: null, savedAt: NOW.toISOString() })
    // Checking out with the same activity's code is another entry.
    expect(enqueue(list, { accountId: 'a', code: code(), kind: 'OUT' }, NOW)).toHaveLength(2)
  })

  it('sends only the codes of the account on the phone now', async () => {
    let list = enqueue([], { accountId: 'a', code: code(), kind: 'IN' }, NOW)
    list = enqueue(list, { accountId: 'b', code: code(ACTIVITY, ISSUED + 1), kind: 'IN' }, NOW)
    const seen: string[] = []
    const report = await flush(list, 'a', async (p) => {
      seen.push(p.accountId)
      return { kind: 'sent' }
    })
    expect(seen).toEqual(['a'])
    expect(report.list.map((p) => p.accountId)).toEqual(['b'])
  })

  it('removes sent codes, marks refused ones and stops at the first try-later', async () => {
    let list: PendingCheckin[] = []
    for (let i = 0; i < 4; i++) list = enqueue(list, { accountId: 'a', code: code(ACTIVITY, ISSUED + i), kind: 'IN' }, NOW)
    const outcomes: SendOutcome[] = [{ kind: 'sent' }, { kind: 'refused', code: 'FORBIDDEN' }, { kind: 'retry' }, { kind: 'sent' }]
    let calls = 0
    const report = await flush(list, 'a', async () => outcomes[calls++]!)
    expect(calls).toBe(3)
    expect(report.sent).toHaveLength(1)
    expect(report.refused.map((p) => p.refused)).toEqual(['FORBIDDEN'])
    expect(report.list).toHaveLength(3)
    // The refused one is not sent again; the two after the try-later still wait.
    expect(waiting(report.list, 'a')).toHaveLength(2)
  })

  it('keeps everything when there is still no signal', async () => {
    const list = enqueue([], { accountId: 'a', code: code(), kind: 'IN' }, NOW)
    const report = await flush(list, 'a', async () => ({ kind: 'retry' }))
    expect(report.list).toEqual(list)
    expect(report.sent).toEqual([])
  })

  it('waits on lost signal, a busy server or a session being renewed, and gives up on a refusal', () => {
    expect(outcomeOf(null)).toEqual({ kind: 'sent' })
    for (const c of ['NETWORK', 'UNAVAILABLE', 'RATE_LIMITED', 'UNAUTHENTICATED'] as const) expect(outcomeOf(c).kind).toBe('retry')
    for (const c of ['BAD_USER_INPUT', 'FORBIDDEN', 'CONFLICT', 'NOT_FOUND', 'INTERNAL'] as const)
      expect(outcomeOf(c)).toEqual({ kind: 'refused', code: c })
  })

  it('is read back from storage, dropping anything malformed', () => {
    const list = enqueue([], { accountId: 'a', code: code(), kind: 'IN' }, NOW)
    expect(parseStored(JSON.stringify(list))).toEqual(list)
    expect(parseStored(JSON.stringify([...list, { id: 1 }, null, 'x']))).toEqual(list)
    expect(parseStored('not json')).toEqual([])
    expect(parseStored(null)).toEqual([])
    expect(parseStored('{}')).toEqual([])
  })
})
