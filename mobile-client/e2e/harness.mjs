// The e2e harness: builds and starts the REAL api as it is deployed (the release binary with
// the phone app built into it; fresh temp data dir, seeded demo data), and drives Debian's
// Chromium through playwright-core with a phone's screen (390×844, touch, 3× pixels).
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

export const clientDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const repoRoot = resolve(clientDir, '..')
export const resultsDir = join(clientDir, 'test-results')
export const PASSWORD = 'Demo@2026'
export const PHONES = {
  admin: '13900000000',
  resident: '13800000001',
  staff: '13900000001',
  partner: '13900000003',
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']

/**
 * `cargo build --release -p api` (its build script builds this client into the binary), then
 * that binary under CARGO_TARGET_DIR (default <repo>/target); or API_BIN as it is, serving
 * dist/ (`--client-dir`), e.g. a debug build while iterating on the client alone.
 * @returns {{ bin: string, clientArgs: string[] }}
 */
export function buildApi() {
  if (process.env.API_BIN) {
    const dist = join(clientDir, 'dist')
    if (!existsSync(join(dist, 'index.html'))) throw new Error('dist/ is missing: run `vite build` first')
    return { bin: resolve(process.env.API_BIN), clientArgs: ['--client-dir', dist] }
  }
  execFileSync('cargo', ['build', '--release', '-p', 'api', '--locked'], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] })
  const targetDir = process.env.CARGO_TARGET_DIR ? resolve(repoRoot, process.env.CARGO_TARGET_DIR) : join(repoRoot, 'target')
  const bin = join(targetDir, 'release', process.platform === 'win32' ? 'api.exe' : 'api')
  if (!existsSync(bin)) throw new Error(`api binary not found at ${bin}`)
  return { bin, clientArgs: [] }
}

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', fail)
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address()
      const port = typeof address === 'object' && address ? address.port : 0
      srv.close(() => ok(port))
    })
  })
}

/**
 * Start the api on a free port with a fresh data dir; it migrates and seeds itself.
 * @returns {Promise<{ url: string, stop: () => Promise<void>, logs: () => string }>}
 */
export async function startApi() {
  const { bin, clientArgs } = buildApi()
  const dataDir = mkdtempSync(join(tmpdir(), 'dt-e2e-'))
  const port = await freePort()
  const env = { ...process.env }
  // The embedded default only: nothing from the surrounding shell may point it elsewhere.
  for (const key of ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'PORT', 'HOST', 'DATA_DIR', 'CLIENT_DIR', 'SEEDS_DIR']) {
    delete env[key]
  }
  let output = ''
  const child = spawn(
    bin,
    [
      '--data-dir', dataDir, '--port', String(port), '--host', '127.0.0.1', ...clientArgs, '--seeds-dir', join(repoRoot, 'seeds'),
      // Every phone of a test shares 127.0.0.1, and the per-IP limit counts the app's own files
      // too: three phones installing the PWA (≈130 precached files each) would exhaust the
      // default burst of 200 and see 429s for scripts and styles.
      '--rate-limit-ip-burst', '5000', '--rate-limit-ip-per-sec', '1000',
    ],
    { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  child.stdout.on('data', (b) => (output += b))
  child.stderr.on('data', (b) => (output += b))
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 120_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`api exited early (${child.exitCode}):\n${output}`)
    try {
      const res = await fetch(`${url}/readyz`)
      if (res.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`api not ready after 120 s:\n${output}`)
    await new Promise((r) => setTimeout(r, 250))
  }
  return {
    url,
    logs: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
        if (child.exitCode === null) child.kill('SIGKILL')
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/**
 * The text messages the api logged for `phone` (without a gateway it logs each one instead of
 * sending it), oldest first. @param {{ logs: () => string }} api @param {string} phone
 */
export function smsTexts(api, phone) {
  // eslint-disable-next-line no-control-regex
  const plain = api.logs().replace(/\u001b\[[0-9;]*m/g, '')
  return plain
    .split('\n')
    .filter((line) => line.includes('SMS (no gateway configured') && new RegExp(`\\bto=(?:"${phone}"|${phone}\\b)`).test(line))
    .map((line) => line.replace(/^.*?text="?/, '').replace(/"?\s*$/, ''))
}

/**
 * The newest 6-digit code texted to `phone`, waiting for it to be logged; `after` skips the codes
 * seen before (the count of texts then). @param {{ logs: () => string }} api @param {string} phone
 * @param {number} [after]
 */
export async function smsCode(api, phone, after = 0) {
  const deadline = Date.now() + 10_000
  for (;;) {
    const codes = smsTexts(api, phone)
      .slice(after)
      .map((text) => /验证码 (\d{6})/.exec(text)?.[1])
      .filter(Boolean)
    if (codes.length) return /** @type {string} */ (codes.at(-1))
    if (Date.now() > deadline) throw new Error(`no code texted to ${phone}:\n${smsTexts(api, phone).join('\n')}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS })
}

/**
 * A phone: 390×844 with touch, like a mid-size Android or iPhone.
 * @param {import('playwright-core').Browser} browser
 * @param {string} baseURL
 * @param {{ serviceWorkers?: 'allow' | 'block' }} [options] `block` for a first load without the app installed
 */
export async function newPhone(browser, baseURL, options = {}) {
  return browser.newContext({
    baseURL,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 3,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    serviceWorkers: options.serviceWorkers ?? 'allow',
  })
}

/**
 * A screenshot of the screen as it is, and one on a small 320×640 phone (`<name>-320.png`),
 * which must not scroll sideways either; the page then goes back to its own size.
 * @param {import('playwright-core').Page} page @param {string} name
 */
export async function shot(page, name) {
  mkdirSync(resultsDir, { recursive: true })
  await page.waitForTimeout(250)
  await page.screenshot({ path: join(resultsDir, `${name}.png`), fullPage: false })
  const size = page.viewportSize()
  if (!size || size.width <= 320) return
  await page.setViewportSize({ width: 320, height: 640 })
  try {
    await page.waitForTimeout(150)
    assert.equal(await horizontalOverflow(page), 0, `${name} scrolls sideways on a 320 px phone`)
    await page.screenshot({ path: join(resultsDir, `${name}-320.png`), fullPage: false })
  } finally {
    await page.setViewportSize(size)
  }
}

/** @param {import('playwright-core').Page} page @param {string} phone */
export async function login(page, phone) {
  await page.goto('/login')
  await page.locator('input[name="phone"]').fill(phone)
  await page.locator('input[name="password"]').fill(PASSWORD)
  await page.getByTestId('login-submit').tap()
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
}

/** The page is no wider than the screen. @param {import('playwright-core').Page} page */
export async function horizontalOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
}

/** Every visible button, tab and clickable cell is at least 44 px high. @param {import('playwright-core').Page} page */
export async function smallTouchTargets(page) {
  return page.evaluate(() => {
    const small = []
    for (const el of document.querySelectorAll('button, .van-tabbar-item, .van-cell--clickable, a.van-cell, .van-grid-item__content')) {
      const r = el.getBoundingClientRect()
      if (r.width === 0 || r.height === 0) continue
      if (r.height < 44 - 0.5) small.push(`${el.className} ${Math.round(r.height)}px "${(el.textContent ?? '').trim().slice(0, 20)}"`)
    }
    return small
  })
}

/**
 * A GraphQL call straight to the api (for setting the stage, never for what the test checks).
 * @param {string} url @param {string} query @param {Record<string, unknown>} [variables] @param {string} [token]
 */
export async function gql(url, query, variables = {}, token) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  })
  const body = await res.json()
  if (body.errors?.length) throw new Error(`GraphQL: ${JSON.stringify(body.errors)}`)
  return body.data
}

/** An access token for a demo account. @param {string} url @param {string} phone */
export async function apiToken(url, phone) {
  const data = await gql(url, 'mutation($p: String!, $w: String!) { login(phone: $p, password: $w) { accessToken } }', { p: phone, w: PASSWORD })
  return data.login.accessToken
}

/**
 * A one-frame Y4M video of `text` as a QR code: Chromium's fake camera plays it, so a scan in
 * the app decodes a real camera picture. @param {string} text @param {string} path
 */
export async function writeQrVideo(text, path) {
  const { default: QRCode } = await import('qrcode')
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' })
  const size = qr.modules.size
  const W = 640
  const H = 480
  const scale = Math.floor(360 / (size + 8))
  const side = (size + 8) * scale
  const left = Math.floor((W - side) / 2)
  const top = Math.floor((H - side) / 2)
  const y = Buffer.alloc(W * H, 235)
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      if (!qr.modules.get(r, c)) continue
      for (let dy = 0; dy < scale; dy++) {
        const row = (top + (r + 4) * scale + dy) * W + left + (c + 4) * scale
        y.fill(16, row, row + scale)
      }
    }
  }
  const chroma = Buffer.alloc((W / 2) * (H / 2), 128)
  const header = Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`)
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma, chroma])
  const { writeFileSync } = await import('node:fs')
  writeFileSync(path, Buffer.concat([header, frame, frame, frame]))
}

/** Chromium whose camera shows the given Y4M video. @param {string} video */
export async function launchBrowserWithCamera(video) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
  })
}

/**
 * Texts below WCAG contrast: 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold). Colours
 * come from computed styles: the text colour (faded by any opacity on the way up) against the
 * first opaque background behind it, translucent layers blended in. Text over a gradient or an
 * image, and disabled controls, are left out. @param {import('playwright-core').Page} page
 */
export async function lowContrast(page) {
  return page.evaluate(() => {
    /** @param {string} c @returns {number[]} */
    const rgba = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/)
      if (!m) return [0, 0, 0, 0]
      const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number)
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]
    }
    /** @param {number[]} top @param {number[]} under */
    const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat(1)
    /** @param {number[]} c */
    const lum = (c) => {
      const [r, g, b] = c.slice(0, 3).map((v) => {
        const s = v / 255
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
      })
      return 0.2126 * r + 0.7152 * g + 0.0722 * b
    }
    /** The opaque colour behind `el`, or null over a gradient or image. @param {Element} el */
    const background = (el) => {
      const layers = []
      for (let e = /** @type {Element | null} */ (el); e; e = e.parentElement) {
        const cs = getComputedStyle(e)
        if (cs.backgroundImage !== 'none') return null
        const c = rgba(cs.backgroundColor)
        if (c[3] > 0) layers.push(c)
        if (c[3] >= 1) break
      }
      let bg = [255, 255, 255, 1]
      for (const layer of layers.reverse()) bg = over(layer, bg)
      return bg
    }
    /** @type {string[]} */
    const low = []
    for (const el of document.querySelectorAll('body *')) {
      const text = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent ?? '').join('').trim()
      if (!text) continue
      const rect = el.getBoundingClientRect()
      if (rect.width === 0 || rect.height === 0) continue
      const cs = getComputedStyle(el)
      if (cs.visibility === 'hidden' || el.closest('[disabled], .van-button--disabled, .van-field--disabled, .van-switch--disabled, .van-tabs__nav--disabled, [aria-hidden="true"], .print-only')) continue
      const bg = background(el)
      if (!bg) continue
      let opacity = 1
      for (let e = /** @type {Element | null} */ (el); e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity)
      if (opacity < 0.05) continue
      const fgRaw = rgba(cs.color)
      const fg = over([fgRaw[0], fgRaw[1], fgRaw[2], fgRaw[3] * opacity], bg)
      const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x)
      const ratio = (a + 0.05) / (b + 0.05)
      const size = parseFloat(cs.fontSize)
      const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700)
      if (ratio < (large ? 3 : 4.5) - 0.01) low.push(`"${text.slice(0, 16)}" ${ratio.toFixed(2)}:1 (${cs.color} on rgb(${bg.slice(0, 3).join(',')}))`)
    }
    return low
  })
}

/**
 * Interactive elements smaller than 44 × 44 px: buttons, links, tabs, clickable cells, radios,
 * checkboxes, switches, steppers, popup close buttons (what sits in a clickable cell counts as the
 * cell). @param {import('playwright-core').Page} page
 */
export async function smallTapTargets(page) {
  return page.evaluate(() => {
    const selector = [
      'button', 'a[href]', '[role="button"]', '.van-tabbar-item', '.van-cell--clickable', '.van-grid-item__content', '.van-radio',
      '.van-checkbox', '.van-switch', '.van-popup__close-icon', '.van-stepper__minus', '.van-stepper__plus', '.van-tab', '.van-dropdown-menu__item',
    ].join(', ')
    /** @type {string[]} */
    const small = []
    for (const el of document.querySelectorAll(selector)) {
      const r = el.getBoundingClientRect()
      if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') continue
      // A radio or switch inside a clickable cell: the whole cell takes the tap (checked itself).
      if (el.parentElement?.closest('.van-cell--clickable')) continue
      if (r.height < 44 - 0.5 || r.width < 44 - 0.5) {
        small.push(`${el.className || el.tagName} ${Math.round(r.width)}×${Math.round(r.height)} "${(el.textContent ?? '').trim().slice(0, 16)}"`)
      }
    }
    return small
  })
}

/**
 * Texts that do not grow with the base font size (the phone's text size): each visible text's
 * computed size at a 16 px root and at a 20 px root; those that stay put are fixed in px.
 * @param {import('playwright-core').Page} page
 */
export async function fixedFontSizes(page) {
  return page.evaluate(async () => {
    const texts = () =>
      [...document.querySelectorAll('body *')].filter((el) => {
        const r = el.getBoundingClientRect()
        return r.width > 0 && [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim())
      })
    const root = document.documentElement
    const before = root.style.fontSize
    root.style.fontSize = '16px'
    const els = texts()
    const base = els.map((el) => parseFloat(getComputedStyle(el).fontSize))
    root.style.fontSize = '20px'
    await new Promise((r) => requestAnimationFrame(() => r(null)))
    /** @type {string[]} */
    const fixed = []
    els.forEach((el, i) => {
      const grown = parseFloat(getComputedStyle(el).fontSize) / (base[i] ?? 1)
      if (grown < 1.2) fixed.push(`${el.tagName}.${el.className} "${(el.textContent ?? '').trim().slice(0, 12)}" ${base[i]}px`)
    })
    root.style.fontSize = before
    return fixed
  })
}
