// Personal names and phones as they may be shown: masking in one place (PIPL).

/** 张三明 → 张*明, 欧阳小明 → 欧**明, 张三 → 张*; one character stays as it is. */
export function maskName(name: string): string {
  const chars = Array.from(name.trim())
  if (chars.length <= 1) return chars.join('')
  if (chars.length === 2) return `${chars[0]}*`
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`
}

/** 13800000001 → 138****0001; anything that is not an 11-digit mobile keeps only its ends. */
export function maskPhone(phone: string): string {
  const digits = phone.trim()
  if (digits.length <= 4) return digits
  if (digits.length === 11) return `${digits.slice(0, 3)}****${digits.slice(7)}`
  return `${digits.slice(0, 2)}${'*'.repeat(digits.length - 4)}${digits.slice(-2)}`
}

/** A mainland mobile number: 11 digits starting with 1. */
export function isMobilePhone(phone: string): boolean {
  return /^1\d{10}$/.test(phone.trim())
}
