import { describe, expect, it } from 'vitest'
import { groupByMonth } from './months'

describe('the ledger by month', () => {
  it('groups by when the source happened, not when the entry was written, newest month first', () => {
    // As the API pages them: newest written first. Hours certified today for an activity of
    // September, and a seeded donation of last year written at seeding time.
    const entries = [
      { id: 'a', amount: -300, occurredAt: '2026-12-05T02:00:00Z' },
      { id: 'b', amount: 20, occurredAt: '2026-09-12T01:00:00Z' },
      { id: 'c', amount: 50, occurredAt: '2026-12-01T03:00:00Z' },
      { id: 'd', amount: 80, occurredAt: '2025-11-23T00:25:00Z' },
      { id: 'e', amount: 10, occurredAt: '2026-09-30T17:00:00Z' }, // 1 October in the district
      { id: 'f', amount: 5, occurredAt: '2026-09-20T01:00:00Z' },
    ]
    const groups = groupByMonth(entries)
    expect(groups.map((g) => g.month)).toEqual(['2026-12', '2026-10', '2026-09', '2025-11'])
    expect(groups.map((g) => g.entries.map((e) => e.id))).toEqual([['a', 'c'], ['e'], ['f', 'b'], ['d']])
    expect(groups[0]).toMatchObject({ earned: 50, spent: 300 })
    expect(groups[2]).toMatchObject({ earned: 25, spent: 0 })
  })

  it('has no groups for no entries', () => {
    expect(groupByMonth([])).toEqual([])
  })
})
