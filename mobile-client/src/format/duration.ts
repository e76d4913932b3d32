// Volunteer time: the API counts minutes; people read hours with one decimal.

/** 150 → "2.5", 60 → "1", 0 → "0"; rounded down to the tenth, as certificates show it. */
export function minutesToHours(minutes: number | null | undefined): string {
  if (!minutes || minutes < 0) return '0'
  const tenths = Math.floor((minutes * 10) / 60)
  return tenths % 10 === 0 ? String(tenths / 10) : (tenths / 10).toFixed(1)
}

/** Whole seconds left until `until` (never negative): drives a voucher's countdown. */
export function secondsLeft(until: string, now: Date = new Date()): number {
  const ms = new Date(until).getTime() - now.getTime()
  return Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 1000)) : 0
}

/** 754 → "12:34", 3 725 → "1:02:05". */
export function formatCountdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  const pad = (n: number) => String(n).padStart(2, '0')
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`
}

/** A wait as people say it: up to 90 s in seconds, up to 90 min in minutes, else hours (rounded up). */
export function waitUnits(seconds: number): { unit: 'seconds' | 'minutes' | 'hours'; n: number } {
  const s = Math.max(0, Math.ceil(seconds))
  if (s <= 90) return { unit: 'seconds', n: s }
  if (s <= 90 * 60) return { unit: 'minutes', n: Math.ceil(s / 60) }
  return { unit: 'hours', n: Math.ceil(s / 3600) }
}
