// The ledger by district month of when each entry's source happened (`occurredAt`: the
// donation's date, the activity's start, the redemption), newest month first, each with its
// credits in and out. The API pages the ledger in the order entries were written, so an entry
// of an earlier month (hours certified weeks after the activity, seeded history) joins that
// month's group wherever it arrives.
import { formatDate } from '@/format/datetime'

export interface LedgerMonth<E> {
  /** `2026-11` */
  month: string
  earned: number
  spent: number
  entries: E[]
}

export function groupByMonth<E extends { amount: number; occurredAt: string }>(entries: readonly E[]): LedgerMonth<E>[] {
  const byMonth = new Map<string, LedgerMonth<E>>()
  for (const e of entries) {
    const month = formatDate(e.occurredAt).slice(0, 7)
    let g = byMonth.get(month)
    if (!g) {
      g = { month, earned: 0, spent: 0, entries: [] }
      byMonth.set(month, g)
    }
    g.entries.push(e)
    if (e.amount > 0) g.earned += e.amount
    else g.spent -= e.amount
  }
  const groups = [...byMonth.values()].sort((a, b) => (a.month < b.month ? 1 : a.month > b.month ? -1 : 0))
  // Newest first within a month; entries of the same moment keep the API's order (stable sort).
  for (const g of groups) g.entries.sort((a, b) => Date.parse(b.occurredAt) - Date.parse(a.occurredAt))
  return groups
}
