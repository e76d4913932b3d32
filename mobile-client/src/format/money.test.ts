import { describe, expect, it } from 'vitest'
import {
  fenToYuan,
  formatMoney,
  isPositiveYuan,
  normaliseYuan,
  tierProgressPercent,
  yuanToFen,
} from './money'

describe('money', () => {
  it('turns yuan strings into whole fen without floats', () => {
    expect(yuanToFen('1234.50')).toBe(123450)
    expect(yuanToFen('0.1')).toBe(10)
    expect(yuanToFen('0.07')).toBe(7)
    expect(yuanToFen('500')).toBe(50000)
    expect(yuanToFen(' 19.99 ')).toBe(1999)
  })

  it('refuses what is not an amount of yuan', () => {
    for (const bad of ['', 'abc', '1.234', '-5', '1,000', '.5', '1e3', '5.']) {
      expect(yuanToFen(bad), bad).toBeNull()
    }
  })

  it('turns fen back into the API money format', () => {
    expect(fenToYuan(123450)).toBe('1234.50')
    expect(fenToYuan(7)).toBe('0.07')
    expect(fenToYuan(0)).toBe('0.00')
    expect(fenToYuan(-1050)).toBe('-10.50')
    expect(() => fenToYuan(1.5)).toThrow(RangeError)
  })

  it('round-trips every amount exactly', () => {
    for (const fen of [1, 10, 99, 100, 101, 29, 57, 123456789]) {
      expect(yuanToFen(fenToYuan(fen))).toBe(fen)
    }
  })

  it('normalises typed input to two decimals', () => {
    expect(normaliseYuan('500')).toBe('500.00')
    expect(normaliseYuan('12.3')).toBe('12.30')
    expect(normaliseYuan('12.345')).toBeNull()
  })

  it('accepts only positive amounts for donations', () => {
    expect(isPositiveYuan('0.01')).toBe(true)
    expect(isPositiveYuan('0')).toBe(false)
    expect(isPositiveYuan('0.00')).toBe(false)
  })

  it('formats money for people with grouping and a yuan sign', () => {
    expect(formatMoney('1234567.50')).toBe('¥1,234,567.50')
    expect(formatMoney('0.5')).toBe('¥0.50')
    expect(formatMoney('-20.00')).toBe('-¥20.00')
    expect(formatMoney(null)).toBe('—')
  })

  it('measures progress between tier thresholds', () => {
    expect(tierProgressPercent('550.00', '100.00', '1000.00')).toBe(50)
    expect(tierProgressPercent('50.00', null, '100.00')).toBe(50)
    expect(tierProgressPercent('5000.00', '5000.00', '20000.00')).toBe(0)
    expect(tierProgressPercent('30000.00', '20000.00', null)).toBe(100)
    expect(tierProgressPercent('999.99', '100.00', '1000.00')).toBe(99)
  })
})
