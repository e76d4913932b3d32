// Money in one place. The API carries yuan as a decimal string with two places ("1234.50");
// inside the client arithmetic happens on integer fen, never on floats.

const YUAN = /^(\d{1,12})(?:\.(\d{1,2}))?$/

/** "1234.5" → 123450 fen; null for anything that is not a non-negative amount of yuan. */
export function yuanToFen(yuan: string): number | null {
  const m = YUAN.exec(yuan.trim())
  if (!m) return null
  const whole = Number(m[1])
  const cents = Number((m[2] ?? '').padEnd(2, '0'))
  const fen = whole * 100 + cents
  return Number.isSafeInteger(fen) ? fen : null
}

/** 123450 → "1234.50" (the API's Money format). */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`not a whole number of fen: ${fen}`)
  const sign = fen < 0 ? '-' : ''
  const abs = Math.abs(fen)
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

/** What a person typed, as the API's Money string ("500" → "500.00"); null when invalid. */
export function normaliseYuan(input: string): string | null {
  const fen = yuanToFen(input)
  return fen === null ? null : fenToYuan(fen)
}

/** A positive amount of yuan with at most two decimals, as a form rule. */
export function isPositiveYuan(input: string): boolean {
  const fen = yuanToFen(input)
  return fen !== null && fen > 0
}

/** "1234.50" → "¥1,234.50" for display; grouping by thousands, always two decimals. */
export function formatMoney(money: string | null | undefined): string {
  if (money === null || money === undefined) return '—'
  const negative = money.trim().startsWith('-')
  const fen = yuanToFen(negative ? money.trim().slice(1) : money)
  if (fen === null) return money
  const [whole, cents] = fenToYuan(fen).split('.') as [string, string]
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${negative ? '-' : ''}¥${grouped}.${cents}`
}

/** Progress (0–100) from the current tier's threshold to the next one's, by cumulative giving. */
export function tierProgressPercent(
  cumulative: string,
  currentThreshold: string | null | undefined,
  nextThreshold: string | null | undefined,
): number {
  const have = yuanToFen(cumulative) ?? 0
  if (nextThreshold === null || nextThreshold === undefined) return 100
  const to = yuanToFen(nextThreshold) ?? 0
  const from = currentThreshold ? (yuanToFen(currentThreshold) ?? 0) : 0
  if (to <= from) return 100
  const pct = Math.floor(((have - from) * 100) / (to - from))
  return Math.min(100, Math.max(0, pct))
}
