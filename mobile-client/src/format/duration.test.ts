import { describe, expect, it } from 'vitest'
import { formatCountdown, minutesToHours, secondsLeft, waitUnits } from './duration'

describe('volunteer time', () => {
  it('reads as hours with one decimal, rounded down', () => {
    expect(minutesToHours(150)).toBe('2.5')
    expect(minutesToHours(60)).toBe('1')
    expect(minutesToHours(65)).toBe('1')
    expect(minutesToHours(539)).toBe('8.9')
    expect(minutesToHours(0)).toBe('0')
    expect(minutesToHours(null)).toBe('0')
  })
})

describe('a voucher countdown', () => {
  const now = new Date('2026-11-22T08:00:00Z')
  it('counts whole seconds left, never below zero', () => {
    expect(secondsLeft('2026-11-22T08:30:00Z', now)).toBe(1800)
    expect(secondsLeft('2026-11-22T07:59:00Z', now)).toBe(0)
    expect(secondsLeft('not a date', now)).toBe(0)
  })
  it('shows minutes and seconds, and hours when there are any', () => {
    expect(formatCountdown(754)).toBe('12:34')
    expect(formatCountdown(5)).toBe('00:05')
    expect(formatCountdown(3725)).toBe('1:02:05')
    expect(formatCountdown(-3)).toBe('00:00')
  })
})

describe('a wait before asking again', () => {
  it('is said in seconds, minutes or hours, rounded up', () => {
    expect(waitUnits(60)).toEqual({ unit: 'seconds', n: 60 })
    expect(waitUnits(12.3)).toEqual({ unit: 'seconds', n: 13 })
    expect(waitUnits(91)).toEqual({ unit: 'minutes', n: 2 })
    expect(waitUnits(3600)).toEqual({ unit: 'minutes', n: 60 })
    expect(waitUnits(86_400)).toEqual({ unit: 'hours', n: 24 })
    expect(waitUnits(-5)).toEqual({ unit: 'seconds', n: 0 })
  })
})
