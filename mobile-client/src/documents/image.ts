// A document card as a picture (PNG), drawn on a canvas: what "save as image" and sharing send.
// Drawn from the same lines the card shows, so the picture needs no screenshot library.

export interface DocumentRow {
  label: string
  value: string
  strong?: boolean
}

export interface DocumentPicture {
  title: string
  rows: DocumentRow[]
  /** The verification QR code as a data URL. */
  qr: string | null
  footer: string | null
  code: string | null
}

const WIDTH = 720
const PAD = 48
const FONT = "'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif"

/** Split `text` into lines no wider than `max` (per character: Chinese has no spaces). */
export function wrap(measure: (s: string) => number, text: string, max: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const ch of text) {
    if (line && measure(line + ch) > max) {
      lines.push(line)
      line = ch
    } else {
      line += ch
    }
  }
  if (line) lines.push(line)
  return lines.length ? lines : ['']
}

function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image()
    img.onload = () => resolve(img)
    img.onerror = reject
    img.src = src
  })
}

export async function drawDocument(doc: DocumentPicture): Promise<Blob> {
  const canvas = document.createElement('canvas')
  const ctx = canvas.getContext('2d')
  if (!ctx) throw new Error('no canvas')
  const labelWidth = 200
  const valueWidth = WIDTH - PAD * 2 - labelWidth - 24
  ctx.font = `28px ${FONT}`
  const measured = doc.rows.map((r) => wrap((s) => ctx.measureText(s).width, r.value, valueWidth))
  const rowsHeight = measured.reduce((h, lines) => h + lines.length * 40 + 24, 0)
  const qrSize = doc.qr ? 240 : 0
  const height = PAD + 60 + rowsHeight + (doc.qr ? qrSize + 120 : 0) + PAD
  canvas.width = WIDTH
  canvas.height = height

  ctx.fillStyle = '#ffffff'
  ctx.fillRect(0, 0, WIDTH, height)
  ctx.fillStyle = '#323233'
  ctx.textBaseline = 'top'
  ctx.font = `bold 36px ${FONT}`
  ctx.textAlign = 'center'
  ctx.fillText(doc.title, WIDTH / 2, PAD)
  let y = PAD + 72
  doc.rows.forEach((row, i) => {
    ctx.textAlign = 'left'
    ctx.fillStyle = '#55575c'
    ctx.font = `28px ${FONT}`
    ctx.fillText(row.label, PAD, y)
    ctx.fillStyle = '#323233'
    ctx.font = `${row.strong ? 'bold ' : ''}28px ${FONT}`
    ctx.textAlign = 'right'
    for (const line of measured[i] ?? []) {
      ctx.fillText(line, WIDTH - PAD, y)
      y += 40
    }
    y += 12
    ctx.fillStyle = '#ebedf0'
    ctx.fillRect(PAD, y, WIDTH - PAD * 2, 2)
    y += 12
  })
  if (doc.qr) {
    const img = await loadImage(doc.qr)
    y += 24
    ctx.drawImage(img, (WIDTH - qrSize) / 2, y, qrSize, qrSize)
    y += qrSize + 16
    ctx.textAlign = 'center'
    ctx.fillStyle = '#323233'
    ctx.font = `26px ${FONT}`
    if (doc.footer) ctx.fillText(doc.footer, WIDTH / 2, y)
    if (doc.code) ctx.fillText(doc.code, WIDTH / 2, y + 40)
  }
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('no image'))), 'image/png'))
}
