import { describe, expect, it } from 'vitest'
import {
  districtNowParts,
  districtPartsToRfc3339,
  districtYear,
  formatDateTime,
  startOfDistrictDay,
} from './datetime'

describe('district time', () => {
  it('shows instants in Asia/Shanghai', () => {
    expect(formatDateTime('2026-11-22T08:30:00Z')).toBe('2026-11-22 16:30')
    expect(formatDateTime('2026-12-31T16:05:00Z')).toBe('2027-01-01 00:05')
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
