import { describe, expect, it } from 'vitest'
import { isMobilePhone, maskName, maskPhone } from './names'

describe('masked names', () => {
  it('hides the middle of a three-character name', () => {
    expect(maskName('张三明')).toBe('张*明')
    expect(maskName('陈晓明')).toBe('陈*明')
  })

  it('keeps only the ends of longer names', () => {
    expect(maskName('欧阳小明')).toBe('欧**明')
  })

  it('hides the given name of a two-character name', () => {
    expect(maskName('张三')).toBe('张*')
  })

  it('leaves a single character and trims spaces', () => {
    expect(maskName('张')).toBe('张')
    expect(maskName(' 李四光 ')).toBe('李*光')
  })

  it('counts characters outside the basic plane as one', () => {
    expect(maskName('𠀀一𠀁')).toBe('𠀀*𠀁')
  })
})

describe('phones', () => {
  it('masks the middle four digits of a mobile', () => {
    expect(maskPhone('13800000001')).toBe('138****0001')
  })

  it('recognises mainland mobiles', () => {
    expect(isMobilePhone('13800000001')).toBe(true)
    expect(isMobilePhone('2380000000')).toBe(false)
    expect(isMobilePhone('1380000000a')).toBe(false)
  })
})
