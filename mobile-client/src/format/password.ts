// A new password, checked on the phone by the API's own rules (auth/password.rs), so a person
// learns what is wrong before anything is sent. The API also refuses the most common passwords,
// a list the phone does not carry: its refusal of a password that passes here means that.
import type { MessageKey } from '@/locales'

export const MIN_PASSWORD_CHARS = 8
export const MAX_PASSWORD_CHARS = 128

export type PasswordProblem = 'length' | 'control' | 'phone' | 'distinct' | 'sequence'

/** What is wrong with `password` as a new password for `phone`, or null when nothing is. */
export function passwordProblem(password: string, phone = ''): PasswordProblem | null {
  // Characters as the API counts them: code points, not UTF-16 units.
  const chars = Array.from(password)
  if (chars.length < MIN_PASSWORD_CHARS || chars.length > MAX_PASSWORD_CHARS) return 'length'
  if (/\p{Cc}/u.test(password)) return 'control'
  const digits = phone.trim()
  if (digits && password.toLowerCase().includes(digits)) return 'phone'
  if (new Set(chars).size < 4) return 'distinct'
  const steps = chars.slice(1).map((c, i) => c.codePointAt(0)! - chars[i]!.codePointAt(0)!)
  if (steps.every((d) => d === 1) || steps.every((d) => d === -1)) return 'sequence'
  return null
}

/** The words for each problem (and for the API refusing a common password). */
export const PASSWORD_MESSAGES = {
  length: 'password.tooShort',
  control: 'password.control',
  phone: 'password.containsPhone',
  distinct: 'password.fewDistinct',
  sequence: 'password.sequence',
  common: 'password.common',
} as const satisfies Record<PasswordProblem | 'common', MessageKey>
