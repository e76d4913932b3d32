// The ranking's periods: the keys the API takes (`2026-06`, `2026-Q2`, `2026`, `all`, in the
// district's time zone) counted back from now, so a board can open on the latest period with
// entries and people can pick an earlier one.
import type { Period } from '@/gql/graphql'
import { districtNowParts } from './datetime'

/** How far back the pickers (and the search for a period with entries) go. */
export const PERIODS_BACK: Record<Period, number> = { MONTH: 12, QUARTER: 8, YEAR: 5, ALL_TIME: 1 }

/** The current period's key and those before it, newest first: `n` keys at most. */
export function periodKeysBack(period: Period, n: number = PERIODS_BACK[period], now: Date = new Date()): string[] {
  const [y, m] = districtNowParts(now).date.map(Number) as [number, number]
  const keys: string[] = []
  for (let i = 0; i < n; i++) {
    switch (period) {
      case 'MONTH': {
        const idx = y * 12 + (m - 1) - i
        keys.push(`${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}`)
        break
      }
      case 'QUARTER': {
        const idx = y * 4 + Math.floor((m - 1) / 3) - i
        keys.push(`${Math.floor(idx / 4)}-Q${(idx % 4) + 1}`)
        break
      }
      case 'YEAR':
        keys.push(String(y - i))
        break
      case 'ALL_TIME':
        return ['all']
    }
  }
  return keys
}

export interface PeriodParts {
  year: number
  month?: number
  quarter?: number
}

/** `2026-06` → {year: 2026, month: 6}; `2026-Q2` → {year, quarter: 2}; `all` → null. */
export function periodParts(key: string): PeriodParts | null {
  let m = /^(\d{4})-(\d{2})$/.exec(key)
  if (m) return { year: Number(m[1]), month: Number(m[2]) }
  m = /^(\d{4})-Q([1-4])$/.exec(key)
  if (m) return { year: Number(m[1]), quarter: Number(m[2]) }
  m = /^(\d{4})$/.exec(key)
  if (m) return { year: Number(m[1]) }
  return null
}
