import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { PENDING_CHECKINS_KEY, usePendingCheckinsStore } from './checkins'

const b64url = (s: string) => btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
const code = (n: number) => `DTCK1.${b64url(`act-1.${1_795_000_000 + n}.${1_795_000_060 + n}`)}.${b64url('sig')}`

describe('the pending check-ins store', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
  })

  it('keeps codes across a restart of the app', () => {
    usePendingCheckinsStore().keep('acc', code(1), 'IN')
    setActivePinia(createPinia())
    const again = usePendingCheckinsStore()
    expect(again.items).toHaveLength(1)
    expect(again.items[0]).toMatchObject({ accountId: 'acc', kind: 'IN', activityId: 'act-1' })
    expect(JSON.parse(localStorage.getItem(PENDING_CHECKINS_KEY) ?? '[]')).toHaveLength(1)
  })

  it('sends the waiting codes once, and forgets the sent ones', async () => {
    const store = usePendingCheckinsStore()
    store.keep('acc', code(1), 'IN')
    store.keep('acc', code(2), 'OUT')
    const sent: string[] = []
    const report = await store.sendWaiting('acc', async (p) => {
      sent.push(p.kind)
      return { kind: 'sent' }
    })
    expect(report).toEqual({ sent: 2, refused: 0 })
    expect(sent).toEqual(['IN', 'OUT'])
    expect(store.items).toEqual([])
    expect(JSON.parse(localStorage.getItem(PENDING_CHECKINS_KEY) ?? '[]')).toEqual([])
  })

  it('shows a refused code until it is dismissed, and never sends it again', async () => {
    const store = usePendingCheckinsStore()
    const kept = store.keep('acc', code(1), 'IN')
    await store.sendWaiting('acc', async () => ({ kind: 'refused', code: 'FORBIDDEN' }))
    expect(store.items[0]?.refused).toBe('FORBIDDEN')
    let calls = 0
    await store.sendWaiting('acc', async () => {
      calls++
      return { kind: 'sent' }
    })
    expect(calls).toBe(0)
    store.dismiss(kept.id)
    expect(store.items).toEqual([])
  })

  it('keeps a code scanned while a send is under way', async () => {
    const store = usePendingCheckinsStore()
    store.keep('acc', code(1), 'IN')
    await store.sendWaiting('acc', async () => {
      store.keep('acc', code(2), 'IN')
      return { kind: 'sent' }
    })
    expect(store.items.map((p) => p.code)).toEqual([code(2)])
  })
})
