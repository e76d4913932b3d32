import { describe, expect, it } from 'vitest'
import { periodKeysBack, periodParts } from './periods'

// 2026-12-04 02:00 in Dongtou (still 12-03 in UTC).
const now = new Date('2026-12-03T18:00:00Z')

describe('ranking periods', () => {
  it('count months back across the year, in district time', () => {
    expect(periodKeysBack('MONTH', 3, now)).toEqual(['2026-12', '2026-11', '2026-10'])
    expect(periodKeysBack('MONTH', 13, now).at(-1)).toBe('2025-12')
  })
  it('count quarters and years back', () => {
    expect(periodKeysBack('QUARTER', 5, now)).toEqual(['2026-Q4', '2026-Q3', '2026-Q2', '2026-Q1', '2025-Q4'])
    expect(periodKeysBack('YEAR', 2, now)).toEqual(['2026', '2025'])
    expect(periodKeysBack('ALL_TIME', 5, now)).toEqual(['all'])
  })
  it('read keys into parts for labels', () => {
    expect(periodParts('2026-06')).toEqual({ year: 2026, month: 6 })
    expect(periodParts('2026-Q2')).toEqual({ year: 2026, quarter: 2 })
    expect(periodParts('2026')).toEqual({ year: 2026 })
    expect(periodParts('all')).toBeNull()
  })
})
