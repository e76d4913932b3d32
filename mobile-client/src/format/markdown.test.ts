import { describe, expect, it } from 'vitest'
import { parseInlines, parseMarkdown } from './markdown'

const plain = (text: string) => [{ text, strong: false }]

describe('the Markdown of API texts', () => {
  it('reads headings, paragraphs and lists', () => {
    const blocks = parseMarkdown('# 告知\n\n引言第一行\n第二行。\n\n## 我们收集什么\n\n- 手机号：用于登录。\n- 姓名\n')
    expect(blocks).toEqual([
      { kind: 'heading', level: 1, inlines: plain('告知') },
      { kind: 'paragraph', inlines: plain('引言第一行第二行。') },
      { kind: 'heading', level: 2, inlines: plain('我们收集什么') },
      { kind: 'list', ordered: false, items: [plain('手机号：用于登录。'), plain('姓名')] },
    ])
  })

  it('joins wrapped Latin lines with a space and Chinese ones without', () => {
    expect(parseMarkdown('one\ntwo')).toEqual([{ kind: 'paragraph', inlines: plain('one two') }])
    expect(parseMarkdown('- 第一\n  第二')).toEqual([{ kind: 'list', ordered: false, items: [plain('第一第二')] }])
  })

  it('tells numbered lists from bullets, and a list from the paragraph before it', () => {
    expect(parseMarkdown('前言\n1. 一\n2) 二\n- 三')).toEqual([
      { kind: 'paragraph', inlines: plain('前言') },
      { kind: 'list', ordered: true, items: [plain('一'), plain('二')] },
      { kind: 'list', ordered: false, items: [plain('三')] },
    ])
  })

  it('marks bold and leaves an unpaired marker as written', () => {
    expect(parseInlines('请 **务必** 阅读')).toEqual([
      { text: '请 ', strong: false },
      { text: '务必', strong: true },
      { text: ' 阅读', strong: false },
    ])
    expect(parseInlines('2 ** 3')).toEqual(plain('2 ** 3'))
  })

  it('keeps markup as text: nothing is HTML', () => {
    expect(parseMarkdown('<img src=x onerror=alert(1)>')).toEqual([{ kind: 'paragraph', inlines: plain('<img src=x onerror=alert(1)>') }])
  })
})
