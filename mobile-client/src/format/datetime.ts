// Dates and times in the district's time zone (Asia/Shanghai, UTC+8, no daylight saving).

export const DISTRICT_TZ = 'Asia/Shanghai'
const OFFSET_MS = 8 * 60 * 60 * 1000

const pad = (n: number) => String(n).padStart(2, '0')

/** The wall-clock parts of an instant in the district. */
function districtParts(instant: Date) {
  const shifted = new Date(instant.getTime() + OFFSET_MS)
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
  }
}

/** "2026-11-22T08:30:00Z" → "2026-11-22 16:30" (district time). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const p = districtParts(d)
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`
}

/** An end beside its start: its time alone on the same district day, else its date too (a
 * night shift crossing midnight): "18:00", or "2026-11-23 02:00". */
export function formatEnd(startIso: string | null | undefined, endIso: string | null | undefined): string {
  const start = formatDateTime(startIso)
  const end = formatDateTime(endIso)
  return end.length === 16 && start.slice(0, 10) === end.slice(0, 10) ? end.slice(11) : end
}

/** "2026-11-22T08:30:00Z" → "2026-11-22" (district date). */
export function formatDate(iso: string | null | undefined): string {
  return formatDateTime(iso).slice(0, 10)
}

/** Midnight of the district's current day, as an RFC 3339 instant. */
export function startOfDistrictDay(now: Date = new Date()): string {
  const p = districtParts(now)
  return new Date(Date.UTC(p.year, p.month - 1, p.day) - OFFSET_MS).toISOString()
}

/** The district's wall-clock date and time now: (["2026","11","22"], ["16","30"]). */
export function districtNowParts(now: Date = new Date()): { date: string[]; time: string[] } {
  const p = districtParts(now)
  return { date: [String(p.year), pad(p.month), pad(p.day)], time: [pad(p.hour), pad(p.minute)] }
}

/** District wall-clock parts → RFC 3339 with the +08:00 offset, as the API takes it. */
export function districtPartsToRfc3339(date: string[], time: string[]): string {
  const [y, mo, d] = date
  const [h, mi] = time
  return `${y}-${mo}-${d}T${h}:${mi}:00+08:00`
}

/** The district's current year. */
export function districtYear(now: Date = new Date()): number {
  return districtParts(now).year
}
