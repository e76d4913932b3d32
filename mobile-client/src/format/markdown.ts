// The little Markdown the API's texts use (the privacy notice): headings, paragraphs, bullet and
// numbered lists, **bold**. Parsed into blocks the page renders as elements, never as HTML, so
// nothing in a text can inject markup.

export interface Inline {
  text: string
  strong: boolean
}

export type Block =
  | { kind: 'heading'; level: number; inlines: Inline[] }
  | { kind: 'paragraph'; inlines: Inline[] }
  | { kind: 'list'; ordered: boolean; items: Inline[][] }

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/
const BULLET = /^\s*[-*+]\s+(.*)$/
const NUMBERED = /^\s*\d{1,9}[.)]\s+(.*)$/
/** Chinese text wraps without spaces: a line break between two CJK characters joins them. */
const CJK = /[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]/

/** `a **b** c` → a, b (bold), c. An unpaired `**` stays as written. */
export function parseInlines(text: string): Inline[] {
  const parts = text.split('**')
  if (parts.length % 2 === 0) return text ? [{ text, strong: false }] : []
  return parts.map((part, i) => ({ text: part, strong: i % 2 === 1 })).filter((p) => p.text !== '')
}

function joinLines(lines: string[]): string {
  return lines.reduce((joined, line) => {
    if (!joined) return line
    const glue = CJK.test(joined.slice(-1)) && CJK.test(line.charAt(0)) ? '' : ' '
    return joined + glue + line
  }, '')
}

export function parseMarkdown(source: string): Block[] {
  const blocks: Block[] = []
  let paragraph: string[] = []
  let list: { ordered: boolean; items: string[][] } | null = null

  const flush = () => {
    if (paragraph.length) blocks.push({ kind: 'paragraph', inlines: parseInlines(joinLines(paragraph)) })
    if (list) blocks.push({ kind: 'list', ordered: list.ordered, items: list.items.map((item) => parseInlines(joinLines(item))) })
    paragraph = []
    list = null
  }

  for (const raw of source.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim()
    if (!line) {
      flush()
      continue
    }
    const heading = HEADING.exec(line)
    if (heading) {
      flush()
      blocks.push({ kind: 'heading', level: heading[1]!.length, inlines: parseInlines(heading[2]!) })
      continue
    }
    const bullet = BULLET.exec(raw)
    const numbered = bullet ? null : NUMBERED.exec(raw)
    const item = bullet ?? numbered
    if (item) {
      const ordered = !!numbered
      if (paragraph.length || (list && list.ordered !== ordered)) flush()
      list ??= { ordered, items: [] }
      list.items.push([item[1]!.trim()])
      continue
    }
    // A line under a list item continues it; otherwise it belongs to the paragraph.
    if (list) list.items[list.items.length - 1]!.push(line)
    else paragraph.push(line)
  }
  flush()
  return blocks
}
