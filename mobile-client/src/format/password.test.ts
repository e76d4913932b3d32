import { describe, expect, it } from 'vitest'
import { passwordProblem } from './password'

describe('a new password', () => {
  it('passes when it is long, varied and not the phone', () => {
    expect(passwordProblem('Haidao#2027', '13712345678')).toBeNull()
    expect(passwordProblem('海岛慈善共富2027')).toBeNull()
  })

  it('has 8 to 128 characters, counted as the API counts them', () => {
    expect(passwordProblem('Ab3$xyz')).toBe('length')
    expect(passwordProblem('x'.repeat(129))).toBe('length')
    // Seven characters outside the basic plane are seven, not fourteen.
    expect(passwordProblem('𠀀𠀁𠀂𠀃𠀄𠀅𠀆')).toBe('length')
  })

  it('holds no control characters', () => {
    expect(passwordProblem('Haidao\n2027')).toBe('control')
  })

  it('does not contain the phone number', () => {
    expect(passwordProblem('a13712345678', '13712345678')).toBe('phone')
    expect(passwordProblem('a13712345678', '')).toBeNull()
  })

  it('needs at least four different characters', () => {
    expect(passwordProblem('aaaabbbbcccc')).toBe('distinct')
    expect(passwordProblem('aaaabbbbccccd')).toBeNull()
  })

  it('is not a run of consecutive characters', () => {
    expect(passwordProblem('12345678')).toBe('sequence')
    expect(passwordProblem('hgfedcba')).toBe('sequence')
    expect(passwordProblem('12345679')).toBeNull()
  })
})
