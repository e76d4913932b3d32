// The phone client end to end, against the real api with its seeded demo data.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  PHONES,
  horizontalOverflow,
  launchBrowser,
  launchBrowserWithCamera,
  login,
  newPhone,
  shot,
  smallTouchTargets,
  startApi,
  writeQrVideo,
} from './harness.mjs'

/** @type {Awaited<ReturnType<typeof startApi>>} */
let api
/** @type {import('playwright-core').Browser} */
let browser
/** @type {import('playwright-core').BrowserContext} */
let residentCtx
/** @type {import('playwright-core').Page} */
let resident
/** @type {import('playwright-core').BrowserContext} */
let staffCtx
/** @type {import('playwright-core').Page} */
let staff

/** Read the balance on the resident's home, once the API has answered (not the cached copy). @param {import('playwright-core').Page} page */
async function homeBalance(page) {
  await page.goto('/home')
  const text = await page.locator('[data-testid="home"][data-fresh="true"] [data-testid="credit-balance"]').textContent({ timeout: 15_000 })
  return Number(text?.trim())
}

/**
 * The staff read back the donation before it is sent: donor, amount and project are shown, and
 * nothing is written until they confirm. @param {import('playwright-core').Page} page @param {RegExp} amount
 */
async function confirmDonation(page, amount) {
  const dialog = page.locator('.donate-confirm:visible')
  await dialog.waitFor()
  const text = (await dialog.textContent()) ?? ''
  assert.match(text, amount)
  assert.match(text, /捐赠人：1\d{10}/)
  assert.match(text, /项目：\S+/)
  await dialog.locator('.van-dialog__confirm').tap()
}

/**
 * A receipt or statement reads on a phone: no API names on screen, each label on one line, and
 * a QR code pointing at its public check. @param {import('playwright-core').Page} page @param {RegExp} verifyPath
 */
async function assertPhoneDocument(page, verifyPath) {
  const card = page.getByTestId('document-card')
  const text = (await card.textContent()) ?? ''
  assert.doesNotMatch(text, /verifyReceipt|verifyStatement|[a-z]+[A-Z][a-zA-Z]+\(/, 'no API names')
  const labels = await card.locator('dt').evaluateAll((els) => els.map((e) => [e.textContent, e.getBoundingClientRect().height, parseFloat(getComputedStyle(e).lineHeight) || 0]))
  for (const [label, height] of labels) assert.ok(Number(height) < 40, `the label "${label}" stays on one line (${height} px)`)
  const url = (await page.getByTestId('document-verify').getAttribute('data-url')) ?? ''
  assert.match(new URL(url).pathname, verifyPath)
  await page.getByTestId('document-verify').locator('img').waitFor()
  // Saving as a picture beside printing, which stays.
  await page.getByTestId('document-save').waitFor()
  await page.getByTestId('print').waitFor()
}

/** The screen fits the phone and its touch targets are big enough. @param {import('playwright-core').Page} page @param {string} name */
async function checkLayout(page, name) {
  assert.equal(await horizontalOverflow(page), 0, `${name}: no horizontal scroll`)
  assert.deepEqual(await smallTouchTargets(page), [], `${name}: touch targets ≥ 44 px`)
}

before(async () => {
  api = await startApi()
  browser = await launchBrowser()
  residentCtx = await newPhone(browser, api.url)
  resident = await residentCtx.newPage()
  staffCtx = await newPhone(browser, api.url)
  staff = await staffCtx.newPage()
})

after(async () => {
  await browser?.close()
  await api?.stop()
})

describe('phone client', () => {
  test('a resident logs in and sees their credits, tier and ledger', async () => {
    // Logged out, the app opens on its public home, with the way in to log in.
    await resident.goto('/')
    await resident.waitForURL(/\/welcome$/)
    await resident.getByTestId('tab-login').tap()
    await resident.waitForURL(/\/login/)
    await shot(resident, '01-login')
    await login(resident, PHONES.resident)
    await resident.waitForURL(/\/home$/)
    const balance = await homeBalance(resident)
    assert.ok(Number.isInteger(balance), 'balance is a whole number of credits')
    await resident.getByTestId('tier-perks').waitFor()
    assert.match((await resident.getByTestId('credit-summary').textContent()) ?? '', /累计捐赠 ¥/)
    await checkLayout(resident, 'home')
    await shot(resident, '02-home')

    await resident.getByTestId('tab-ledger').tap()
    await resident.getByTestId('ledger-entry').first().waitFor()
    await checkLayout(resident, 'ledger')
    await shot(resident, '03-ledger')

    await resident.goto('/donations')
    await resident.getByTestId('donation-cell').first().waitFor()
    await checkLayout(resident, 'donations')
    await shot(resident, '04-donations')
    await resident.getByTestId('donation-cell').first().tap()
    await resident.waitForURL(/\/receipt$/)
    await resident.getByTestId('printable-frame').waitFor({ state: 'attached' })
    await resident.getByTestId('document-card').waitFor()
    await assertPhoneDocument(resident, /\/verify\/receipt\/[^/]+$/)
    await checkLayout(resident, 'receipt')
    await shot(resident, '05-receipt')
    // Its QR code opens the public check, which confirms it.
    const verifyUrl = (await resident.getByTestId('document-verify').getAttribute('data-url')) ?? ''
    await resident.goto(verifyUrl)
    await resident.locator('[data-testid="verify-result"][data-ok="true"]').waitFor()
    // Saving makes a PNG picture of it.
    await resident.goBack()
    await resident.getByTestId('document-card').waitFor()
    const [download] = await Promise.all([resident.waitForEvent('download'), resident.getByTestId('document-save').tap()])
    assert.match(download.suggestedFilename(), /\.png$/)
    const path = await download.path()
    const { readFileSync } = await import('node:fs')
    assert.deepEqual([...readFileSync(path).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG file')

    await resident.goto('/statement')
    // The seeded resident gave in 2025: that year's statement.
    await resident.locator('.van-tab', { hasText: '2025' }).tap()
    await resident.getByTestId('statement-summary').waitFor()
    await assertPhoneDocument(resident, /\/verify\/statement\/[^/]+$/)
    await checkLayout(resident, 'statement')
    await shot(resident, '06-statement')

    await resident.goto('/me')
    await resident.getByTestId('profile-name').waitFor()
    assert.equal((await resident.getByTestId('profile-name').textContent())?.trim(), '陈晓明')
    // The account's own business (PIPL): changing the password, the privacy policy, deletion.
    for (const id of ['to-password', 'to-privacy', 'to-delete-account']) await resident.getByTestId(id).waitFor()
    await checkLayout(resident, 'profile')
    await shot(resident, '07-profile')

    // English on request, Chinese again after.
    await resident.getByText('English').tap()
    await resident.locator('.van-nav-bar__title', { hasText: 'Me' }).waitFor()
    // What the API writes stays Chinese, and the screen says so.
    assert.match((await resident.getByTestId('language-note').textContent()) ?? '', /in Chinese only/)
    await checkLayout(resident, 'profile (en)')
    await shot(resident, '08-profile-en')
    await resident.getByText('简体中文').tap()
    await resident.locator('.van-nav-bar__title', { hasText: '我的' }).waitFor()
    assert.equal(await resident.getByTestId('language-note').count(), 0)

    // A screen whose data cannot be had says so, with a retry.
    await resident.goto('/donations/00000000-0000-0000-0000-000000000000/receipt')
    await resident.getByTestId('state-error').waitFor()
    await shot(resident, '09-error-state')
  })

  test('staff log a donation for the resident, who then sees the new credits', async () => {
    const before = await homeBalance(resident)

    await login(staff, PHONES.staff)
    await staff.waitForURL(/\/staff\/donate$/)
    await staff.getByTestId('donate-form').waitFor()
    await checkLayout(staff, 'staff-donate')
    await shot(staff, '10-staff-donate')

    // A phone nobody has asks for the donor's name before anything is written.
    await staff.locator('input[name="phone"]').fill('13700000999')
    await staff.locator('input[name="amount"]').fill('1')
    await staff.getByTestId('pick-project').tap()
    await staff.locator('.van-picker__confirm').tap()
    await staff.getByTestId('donate-submit').tap()
    await confirmDonation(staff, /金额：¥1\.00/)
    await staff.locator('input[name="name"]').waitFor()
    await shot(staff, '11-staff-donate-new-donor')

    await staff.locator('input[name="phone"]').fill(PHONES.resident)
    await staff.locator('input[name="amount"]').fill('100')
    await staff.getByTestId('donate-submit').tap()
    // Cancelling the read-back sends nothing and keeps the form as typed.
    await staff.locator('.donate-confirm:visible').waitFor()
    await shot(staff, '11b-staff-donate-confirm')
    await staff.locator('.donate-confirm:visible .van-dialog__cancel').tap()
    assert.equal(await staff.locator('input[name="amount"]').inputValue(), '100.00')
    await staff.getByTestId('donate-submit').tap()
    await confirmDonation(staff, /金额：¥100\.00/)
    // The read-back may still be fading out: wait for the answer's own dialog.
    const dialog = staff.locator('.van-dialog:visible', { hasText: '已记录捐赠' })
    await dialog.waitFor()
    const message = (await dialog.textContent()) ?? ''
    assert.match(message, /¥100\.00/)
    const credits = Number(/获得 (\d+) 积分/.exec(message)?.[1])
    assert.ok(credits > 0, `the donation earned credits: ${message}`)
    await shot(staff, '12-staff-donate-success')
    await dialog.locator('.van-dialog__confirm').tap()

    await staff.getByTestId('tab-staff-today').tap()
    await staff.getByTestId('donation-cell').first().waitFor()
    assert.match((await staff.getByTestId('donation-cell').first().textContent()) ?? '', /陈晓明/)
    await checkLayout(staff, 'staff-today')
    await shot(staff, '13-staff-today')
    // A void needs a reason: confirming without one is refused in place.
    await staff.getByTestId('void-open').first().tap()
    await staff.locator('.van-dialog:visible .van-dialog__confirm').tap()
    await staff.getByText('请填写作废原因').waitFor()
    await shot(staff, '14-staff-void')
    await staff.locator('.van-dialog:visible .van-dialog__cancel').tap()

    const afterDonation = await homeBalance(resident)
    assert.equal(afterDonation, before + credits, 'the balance grows by the credits awarded')
  })

  test('a donation whose answer was lost is retried with the same key and logged once', async () => {
    const before = await homeBalance(resident)
    let dropped = false
    await staff.route('**/graphql', async (route) => {
      if (!dropped && (route.request().postData() ?? '').includes('mutation RecordDonation')) {
        dropped = true
        await route.fetch() // the API records it …
        await route.abort('failed') // … but the answer never reaches the phone
        return
      }
      await route.continue()
    })
    try {
      await staff.goto('/staff/donate')
      await staff.locator('input[name="phone"]').fill(PHONES.resident)
      await staff.locator('input[name="amount"]').fill('50')
      await staff.getByTestId('pick-project').tap()
      await staff.locator('.van-picker__confirm').tap()
      await staff.getByTestId('donate-submit').tap()
      await confirmDonation(staff, /金额：¥50\.00/)
      const retry = staff.locator('.van-dialog:visible', { hasText: '提交结果未知' })
      await retry.waitFor()
      await shot(staff, '15-staff-donate-retry')
      await retry.locator('.van-dialog__confirm').tap()
      const done = staff.locator('.van-dialog:visible', { hasText: '已记录捐赠' })
      await done.waitFor()
      const message = (await done.textContent()) ?? ''
      assert.match(message, /重复提交/, 'the API answered with the first result')
      const credits = Number(/获得 (\d+) 积分/.exec(message)?.[1])
      await done.locator('.van-dialog__confirm').tap()
      assert.equal(await homeBalance(resident), before + credits, 'credited once, not twice')
    } finally {
      await staff.unrouteAll()
    }
  })

  test('every screen fits a 360 px wide phone', async () => {
    const narrow = { width: 360, height: 740 }
    await resident.setViewportSize(narrow)
    await staff.setViewportSize(narrow)
    try {
      for (const path of ['/home', '/ledger', '/donations', '/statement', '/rewards', '/redemptions', '/me']) {
        await resident.goto(path)
        await resident.locator('.van-nav-bar__title').first().waitFor()
        await resident.waitForLoadState('networkidle')
        assert.equal(await horizontalOverflow(resident), 0, `${path} at 360 px`)
        if (path === '/home') await shot(resident, '60-home-360')
      }
      for (const path of ['/staff/donate', '/staff/today', '/staff/fulfil']) {
        await staff.goto(path)
        await staff.locator('.van-nav-bar__title').first().waitFor()
        await staff.waitForLoadState('networkidle')
        assert.equal(await horizontalOverflow(staff), 0, `${path} at 360 px`)
        if (path === '/staff/donate') await shot(staff, '61-staff-donate-360')
      }
    } finally {
      await resident.setViewportSize({ width: 390, height: 844 })
      await staff.setViewportSize({ width: 390, height: 844 })
    }
  })

  test('a resident redeems a reward and staff hand it over by pickup code', async () => {
    await resident.goto('/rewards')
    await resident.getByTestId('reward-card').first().waitFor()
    await checkLayout(resident, 'rewards')
    await shot(resident, '20-rewards')
    await resident.getByTestId('reward-redeem').first().tap()
    await resident.getByTestId('redeem-sheet').waitFor()
    await shot(resident, '21-redeem-sheet')
    await resident.getByTestId('redeem-confirm').tap()
    await resident.getByTestId('redeem-result').waitFor()
    await resident.getByTestId('pickup-qr').locator('img').waitFor()
    const code = (await resident.getByTestId('pickup-code').textContent())?.trim() ?? ''
    assert.ok(code.length > 0, 'a pickup code is shown')
    await shot(resident, '22-redeem-result')

    await resident.goto('/redemptions')
    await resident.locator('[data-testid="redemption-cell"][data-status="PENDING"]').first().waitFor()
    await checkLayout(resident, 'redemptions')
    await shot(resident, '23-redemptions')

    await staff.goto('/staff/fulfil')
    await staff.getByTestId('pickup-input').locator('input').fill(code)
    await staff.getByTestId('fulfil-submit').tap()
    // Nothing is handed over before the staff see what it is, whose, and that it is still due.
    await staff.locator('[data-testid="fulfil-preview"][data-status="PENDING"]').waitFor()
    assert.equal((await staff.getByTestId('fulfil-preview-code').textContent())?.trim(), code)
    assert.match((await staff.getByTestId('fulfil-preview-reward').textContent()) ?? '', /× 1/)
    assert.match((await staff.getByTestId('fulfil-preview-redeemer').textContent()) ?? '', /\*/, 'the name is masked')
    assert.match((await staff.getByTestId('fulfil-preview-status').textContent()) ?? '', /待领取/)
    await checkLayout(staff, 'staff-fulfil-preview')
    await shot(staff, '24-staff-fulfil-preview')
    await staff.getByTestId('fulfil-confirm').tap()
    await staff.getByTestId('fulfil-result').waitFor()
    await checkLayout(staff, 'staff-fulfil')
    await shot(staff, '24-staff-fulfil')
    // The same code again shows it picked up, and it cannot be confirmed a second time.
    await staff.getByTestId('pickup-input').locator('input').fill(code)
    await staff.getByTestId('fulfil-submit').tap()
    await staff.locator('[data-testid="fulfil-preview"][data-status="FULFILLED"]').waitFor()
    assert.equal(await staff.getByTestId('fulfil-confirm').isDisabled(), true)
    assert.equal(await staff.getByTestId('fulfil-confirm').getAttribute('data-blocked'), 'FULFILLED')
    assert.match((await staff.getByTestId('fulfil-confirm').textContent()) ?? '', /已领取/)
    await shot(staff, '24-staff-fulfil-used')

    await resident.reload()
    await resident.locator('[data-testid="redemption-cell"][data-status="FULFILLED"]').first().waitFor()
  })

  test('staff scan the pickup QR a resident shows, see what it is, then hand it over', async () => {
    await resident.goto('/rewards')
    await resident.getByTestId('reward-redeem').first().tap()
    await resident.getByTestId('redeem-confirm').tap()
    await resident.getByTestId('redeem-result').waitFor()
    const code = (await resident.getByTestId('pickup-code').textContent())?.trim() ?? ''
    assert.ok(code.length > 0, 'a pickup code is shown')

    // The staff's phone camera films the resident's screen: here, a video of that QR code.
    const dir = mkdtempSync(join(tmpdir(), 'dt-camera-'))
    const video = join(dir, 'pickup.y4m')
    await writeQrVideo(code, video)
    const cameraBrowser = await launchBrowserWithCamera(video)
    try {
      const ctx = await newPhone(cameraBrowser, api.url)
      await ctx.grantPermissions(['camera'])
      const page = await ctx.newPage()
      page.on('pageerror', (e) => console.error(`[camera] page error: ${e.message}`))
      await login(page, PHONES.staff)
      await page.goto('/staff/fulfil')
      await page.getByTestId('scan-open').tap()
      // Scanned, it is previewed first: nothing is handed over before the staff confirm.
      await page.locator('[data-testid="fulfil-preview"][data-status="PENDING"]').waitFor({ timeout: 20_000 })
      assert.equal((await page.getByTestId('fulfil-preview-code').textContent())?.trim(), code)
      await shot(page, '24b-staff-fulfil-scanned')
      await page.getByTestId('fulfil-confirm').tap()
      await page.getByTestId('fulfil-result').waitFor()
    } finally {
      await cameraBrowser.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('a resident cancels a pending redemption and gets the credits back', async () => {
    const before = await homeBalance(resident)
    await resident.goto('/rewards')
    await resident.getByTestId('reward-redeem').nth(2).tap()
    await resident.getByTestId('redeem-confirm').tap()
    await resident.getByTestId('redeem-result').waitFor()
    const spent = before - (await homeBalance(resident))
    assert.ok(spent > 0, 'credits were spent')

    await resident.goto('/redemptions')
    const pending = resident.locator('[data-testid="redemption-cell"][data-status="PENDING"]').first()
    await pending.getByTestId('redemption-show-code').tap()
    await resident.locator('.code-popup [data-testid="pickup-qr"] img').waitFor()
    await shot(resident, '25-pickup-code')
    await resident.locator('.code-popup .van-popup__close-icon').tap()
    await pending.getByTestId('redemption-cancel').tap()
    await resident.locator('.van-dialog:visible .van-dialog__confirm').tap()
    await resident.locator('[data-testid="redemption-cell"][data-status="CANCELLED"]').first().waitFor()
    assert.equal(await homeBalance(resident), before, 'the credits came back')
  })

  test('the ledger loads more entries as the resident scrolls', async () => {
    // A fresh phone, so nothing is cached: every entry beyond ten came from a further page.
    const ctx = await newPhone(browser, api.url)
    try {
      const page = await ctx.newPage()
      await login(page, PHONES.resident)
      await page.goto('/ledger')
      const entries = page.getByTestId('ledger-entry')
      await entries.first().waitFor()
      // Pages are ten long; by now the resident has more entries than that.
      for (let i = 0; i < 5 && !(await page.getByText('没有更多了').isVisible()); i++) {
        await page.mouse.wheel(0, 10_000)
        await page.waitForTimeout(300)
      }
      await page.getByText('没有更多了').waitFor()
      assert.ok((await entries.count()) > 10, 'more than the first page was loaded')
      // Each entry names its source and carries when that happened: the seeded hours at
      // 大沙岙海滩清洁 (19 April 2025) name the activity and its day, not an id or the seeding time.
      for (const text of await entries.allTextContents()) assert.doesNotMatch(text, /时长认证 [0-9a-f]{8}/, `no id fragment: ${text}`)
      const beach = entries.filter({ hasText: '大沙岙海滩清洁 · 时长认证' })
      assert.ok((await beach.count()) > 0, 'the certified hours name their activity')
      assert.match((await beach.first().getByTestId('ledger-entry-at').textContent()) ?? '', /^\s*2025-04-19 /)
      assert.ok(
        await page.locator('[data-testid="ledger-month"][data-month="2025-04"]').filter({ has: beach }).count(),
        'and sit in the month they happened',
      )
      await shot(page, '26-ledger-more')
    } finally {
      await ctx.close()
    }
  })

  test('the ledger groups entries by month and filters earned and spent; a donation shows where it went', async () => {
    await resident.goto('/ledger')
    const months = resident.getByTestId('ledger-month')
    await months.first().waitFor()
    const keys = await months.evaluateAll((els) => els.map((e) => e.getAttribute('data-month') ?? ''))
    assert.ok(keys.every((k) => /^\d{4}-\d{2}$/.test(k)), `month groups: ${keys}`)
    assert.deepEqual([...keys].sort().reverse(), keys, 'newest month first')
    assert.equal(new Set(keys).size, keys.length, 'one group per month')
    await checkLayout(resident, 'ledger by month')
    await shot(resident, '03b-ledger-months')
    await resident.locator('[data-testid="ledger-filter"] .van-tab', { hasText: '使用' }).tap()
    await resident.getByTestId('ledger-entry').first().waitFor()
    const spent = await resident.locator('[data-testid="ledger-entry"] .amount').allTextContents()
    assert.ok(spent.length > 0 && spent.every((a) => a.trim().startsWith('-')), `only spent entries: ${spent}`)
    await resident.locator('[data-testid="ledger-filter"] .van-tab', { hasText: '获得' }).tap()
    await resident.waitForFunction(() => [...document.querySelectorAll('[data-testid="ledger-entry"] .amount')].every((a) => a.textContent?.trim().startsWith('+')))
    await shot(resident, '03c-ledger-earned')

    await resident.goto('/donations')
    await resident.getByTestId('trace-open').first().tap()
    const trace = resident.getByTestId('donation-trace')
    await trace.getByTestId('trace-unallocated').waitFor()
    assert.match((await trace.textContent()) ?? '', /您捐赠的/)
    await checkLayout(resident, 'donation trace')
    await shot(resident, '04b-donation-trace')
  })

  test('offline, the resident still sees the last credits and ledger with a banner', async () => {
    const online = await homeBalance(resident)
    await resident.goto('/ledger')
    await resident.getByTestId('ledger-entry').first().waitFor()
    await resident.goto('/home')
    await resident.getByTestId('credit-balance').waitFor()
    // The service worker has taken control, so the app shell loads without a network.
    await resident.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 30_000 })
    // Every answer is in, so the cache the phone keeps holds these credits.
    await resident.waitForLoadState('networkidle')

    await residentCtx.setOffline(true)
    try {
      await resident.reload()
      await resident.getByTestId('offline-banner').waitFor()
      assert.equal(Number((await resident.getByTestId('credit-balance').textContent({ timeout: 15_000 }))?.trim()), online)
      await shot(resident, '30-offline-home')
      await resident.getByTestId('tab-ledger').tap()
      await resident.getByTestId('ledger-entry').first().waitFor()
      await resident.getByTestId('offline-banner').waitFor()
      await shot(resident, '31-offline-ledger')
    } finally {
      await residentCtx.setOffline(false)
    }
  })

  test('an invalid session goes back to login, then returns to where it was', async () => {
    const ctx = await newPhone(browser, api.url)
    try {
      await ctx.addInitScript(() => {
        if (sessionStorage.getItem('seeded')) return
        sessionStorage.setItem('seeded', '1')
        localStorage.setItem(
          'dt.session',
          JSON.stringify({
            accessToken: 'not-a-token',
            accessTokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
            refreshToken: 'not-a-refresh-token',
            refreshTokenExpiresAt: new Date(Date.now() + 86_400_000).toISOString(),
            account: { id: 'x', displayName: '陈晓明', role: 'RESIDENT', orgId: null, orgName: null, partnerId: null, partnerName: null },
          }),
        )
      })
      const page = await ctx.newPage()
      await page.goto('/ledger')
      await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('redirect') === '/ledger')
      await page.getByTestId('session-expired').waitFor()
      await shot(page, '40-session-expired')
      await page.locator('input[name="phone"]').fill(PHONES.resident)
      await page.locator('input[name="password"]').fill('Demo@2026')
      await page.getByTestId('login-submit').tap()
      await page.waitForURL(/\/ledger$/)
      await page.getByTestId('ledger-entry').first().waitFor()
    } finally {
      await ctx.close()
    }
  })

  test('an expired access token is refreshed without bothering the person', async () => {
    await resident.evaluate(() => {
      const s = JSON.parse(localStorage.getItem('dt.session') ?? '{}')
      s.accessTokenExpiresAt = new Date(Date.now() - 60_000).toISOString()
      localStorage.setItem('dt.session', JSON.stringify(s))
    })
    const oldRefresh = await resident.evaluate(() => JSON.parse(localStorage.getItem('dt.session') ?? '{}').refreshToken)
    await resident.goto('/home')
    await resident.locator('[data-testid="home"][data-fresh="true"]').waitFor()
    assert.equal(new URL(resident.url()).pathname, '/home')
    const newRefresh = await resident.evaluate(() => JSON.parse(localStorage.getItem('dt.session') ?? '{}').refreshToken)
    assert.notEqual(newRefresh, oldRefresh, 'the refresh token was traded for a new one')
  })

  test('role guards keep each role to its own screens', async () => {
    await staff.goto('/home')
    await staff.waitForURL(/\/staff\/donate$/)
    const ctx = await newPhone(browser, api.url)
    try {
      const partner = await ctx.newPage()
      await login(partner, PHONES.partner)
      await partner.waitForURL(/\/partner$/)
      await partner.getByTestId('voucher-code').waitFor()
      await shot(partner, '50-partner-home')
      await partner.goto('/staff/donate')
      await partner.waitForURL(/\/partner$/)

      // Another organisation's staff: nothing logged today is an empty state, not an error.
      await partner.goto('/me')
      await partner.getByTestId('logout').tap()
      await partner.locator('.van-dialog:visible .van-dialog__confirm').tap()
      await partner.waitForURL(/\/login/)
      await login(partner, '13900000002')
      await partner.goto('/staff/today')
      await partner.getByTestId('state-empty').waitFor()
      await shot(partner, '51-staff-today-empty')
    } finally {
      await ctx.close()
    }
  })
})
