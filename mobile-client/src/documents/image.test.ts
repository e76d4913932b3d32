import { describe, expect, it } from 'vitest'
import { wrap } from './image'

describe('document picture', () => {
  const perChar = (s: string) => [...s].length * 10
  it('wraps Chinese text by character within the width', () => {
    expect(wrap(perChar, '兰小草银龄助养项目', 40)).toEqual(['兰小草银', '龄助养项', '目'])
  })
  it('keeps a short value on one line, and an empty one as one empty line', () => {
    expect(wrap(perChar, '¥100.00', 200)).toEqual(['¥100.00'])
    expect(wrap(perChar, '', 200)).toEqual([''])
  })
})
