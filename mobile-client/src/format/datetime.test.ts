import { describe, expect, it } from 'vitest'
import {
  districtNowParts,
  districtPartsToRfc3339,
  districtYear,
  formatDateTime,
  formatEnd,
  startOfDistrictDay,
} from './datetime'

describe('district time', () => {
  it('shows instants in Asia/Shanghai', () => {
    expect(formatDateTime('2026-11-22T08:30:00Z')).toBe('2026-11-22 16:30')
    expect(formatDateTime('2026-12-31T16:05:00Z')).toBe('2027-01-01 00:05')
  })

  it('gives an end its date only when it falls on another district day', () => {
    expect(formatEnd('2026-11-22T01:00:00Z', '2026-11-22T10:00:00Z')).toBe('18:00')
    // 22:00 to 02:00 the next morning in the district.
    expect(formatEnd('2026-11-22T14:00:00Z', '2026-11-22T18:00:00Z')).toBe('2026-11-23 02:00')
    // The same UTC day, but past midnight in the district.
    expect(formatEnd('2026-11-22T15:00:00Z', '2026-11-22T16:30:00Z')).toBe('2026-11-23 00:30')
    expect(formatEnd('2026-11-22T01:00:00Z', null)).toBe('—')
  })

  it('finds midnight of the district day', () => {
    expect(startOfDistrictDay(new Date('2026-11-22T17:00:00Z'))).toBe('2026-11-22T16:00:00.000Z')
    expect(startOfDistrictDay(new Date('2026-11-22T15:59:00Z'))).toBe('2026-11-21T16:00:00.000Z')
  })

  it('turns picked wall-clock parts into an RFC 3339 instant', () => {
    const now = new Date('2026-11-22T08:30:00Z')
    const { date, time } = districtNowParts(now)
    expect(districtPartsToRfc3339(date, time)).toBe('2026-11-22T16:30:00+08:00')
    expect(new Date(districtPartsToRfc3339(date, time)).getTime()).toBe(now.getTime())
    expect(districtYear(new Date('2026-12-31T16:00:00Z'))).toBe(2027)
  })
})
