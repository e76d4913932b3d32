// The later screens end to end, against the real api with its seeded demo data: the 慈善榜,
// perks and their vouchers at the partner's counter, activities with sign-up and check-in
// (typed, and kept on the phone while offline), hours, projects, and staff attendance.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  PHONES,
  apiToken,
  gql,
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
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** @type {Awaited<ReturnType<typeof startApi>>} */
let api
/** @type {import('playwright-core').Browser} */
let browser
/** @type {import('playwright-core').BrowserContext} */
let residentCtx
/** @type {import('playwright-core').Page} */
let resident
/** @type {import('playwright-core').Page} */
let staff
/** @type {import('playwright-core').Page} */
let partner

/** @param {import('playwright-core').Page} page @param {string} name */
async function checkLayout(page, name) {
  assert.equal(await horizontalOverflow(page), 0, `${name}: no horizontal scroll`)
  assert.deepEqual(await smallTouchTargets(page), [], `${name}: touch targets ≥ 44 px`)
}

const ACTIVITY_TITLE = '端到端测试：海岛护绿'
/** When the stage's activity starts (ms since the epoch). */
let activityStartsAt = 0

before(async () => {
  api = await startApi()
  browser = await launchBrowser()
  residentCtx = await newPhone(browser, api.url)
  resident = await residentCtx.newPage()
  staff = await (await newPhone(browser, api.url)).newPage()
  partner = await (await newPhone(browser, api.url)).newPage()
  for (const [name, page] of Object.entries({ resident, staff, partner })) {
    page.on('pageerror', (e) => console.error(`[${name}] page error: ${e.message}`))
    page.on('crash', () => console.error(`[${name}] page crashed`))
  }
  await login(resident, PHONES.resident)
  await login(staff, PHONES.staff)
  await login(partner, PHONES.partner)

  // The stage: an activity of the staff's org starting in ten minutes (check-in is open from
  // an hour before).
  const staffToken = await apiToken(api.url, PHONES.staff)
  const now = Date.now()
  activityStartsAt = now + 10 * 60_000
  const iso = (/** @type {number} */ ms) => new Date(ms).toISOString()
  const created = await gql(
    api.url,
    `mutation($input: ActivityInput!) { createActivity(input: $input) { id } }`,
    {
      input: {
        title: ACTIVITY_TITLE,
        description: '在半屏山步道清理垃圾，补种绿植。',
        townCode: 'BEIAO',
        place: '半屏山步道入口',
        startsAt: iso(activityStartsAt),
        endsAt: iso(now + 70 * 60_000),
        capacity: 10,
        signupDeadline: iso(now + 9 * 60_000),
      },
    },
    staffToken,
  )
  await gql(api.url, `mutation($id: ID!) { publishActivity(id: $id) { id } }`, { id: created.createActivity.id }, staffToken)
})

after(async () => {
  await browser?.close()
  await api?.stop()
})

describe('phone client: board, perks, volunteering', () => {
  test('home shows the 百家信 level and the latest broadcast', async () => {
    await resident.goto('/home')
    await resident.getByTestId('baijiaxin-level').waitFor()
    assert.match((await resident.getByTestId('baijiaxin-level').textContent()) ?? '', /Lv\d/)
    // The seeded feed's newest published post.
    await resident.getByTestId('home-broadcast').waitFor()
    const title = (await resident.getByTestId('home-broadcast').locator('.van-cell__title span').last().textContent())?.trim() ?? ''
    assert.ok(title.length > 0, 'a broadcast title')
    await checkLayout(resident, 'home')
    await shot(resident, '70-home-baijiaxin-broadcast')
    await resident.getByTestId('home-broadcast').tap()
    await resident.locator('.van-popup:visible h3', { hasText: title }).waitFor()
    await shot(resident, '71-home-broadcast-open')
    await resident.keyboard.press('Escape')
  })

  test('百家信 explains its four parts, each with its reason and what raises it', async () => {
    await resident.goto('/home')
    await resident.getByTestId('home-baijiaxin').tap()
    await resident.waitForURL(/\/baijiaxin$/)
    const parts = resident.getByTestId('baijiaxin-component')
    await parts.first().waitFor()
    assert.equal(await parts.count(), 4)
    const kinds = await parts.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')).sort())
    assert.deepEqual(kinds, ['DONATION_AMOUNT', 'DONATION_COUNT', 'RELIABILITY', 'VOLUNTEER_HOURS'])
    for (const text of await parts.allTextContents()) {
      assert.match(text, /\d+ \/ \d+ 分/, 'points out of the part’s ceiling')
      assert.ok(text.length > 30, `a reason and a tip: ${text}`)
    }
    await checkLayout(resident, 'baijiaxin')
    await shot(resident, '71b-baijiaxin-explained')
  })

  test('the resident sees the 慈善榜 with their rank after staff logs a donation', async () => {
    await resident.goto('/board')
    await resident.getByTestId('my-rank').waitFor()
    await checkLayout(resident, 'board')
    await shot(resident, '72-board-before')

    await staff.goto('/staff/donate')
    await staff.locator('input[name="phone"]').fill(PHONES.resident)
    await staff.locator('input[name="amount"]').fill('50000')
    await staff.getByTestId('pick-project').tap()
    await staff.locator('.van-picker__confirm').tap()
    await staff.getByTestId('donate-submit').tap()
    await staff.locator('.donate-confirm:visible .van-dialog__confirm').tap()
    const dialog = staff.locator('.van-dialog:visible', { hasText: '已记录捐赠' })
    await dialog.waitFor()
    await dialog.locator('.van-dialog__confirm').tap()

    await resident.reload()
    const mine = resident.getByTestId('my-rank')
    await resident.waitForFunction(() => /第 1 名/.test(document.querySelector('[data-testid="my-rank"]')?.textContent ?? ''), null, { timeout: 15_000 })
    assert.match((await mine.textContent()) ?? '', /¥50,?\d{3}/)
    assert.ok((await resident.getByTestId('board-entry').count()) > 0, 'the board lists donors')
    // Without the resident's separate consent the board shows 爱心人士, never the name.
    assert.equal(await resident.getByTestId('board-entry').filter({ hasText: '陈晓明' }).count(), 0)
    await shot(resident, '73-board-my-rank')

    await resident.locator('.van-tab', { hasText: '志愿时长' }).tap()
    await resident.getByTestId('board-summary').filter({ hasText: '小时' }).waitFor()
    await shot(resident, '74-board-hours')
    await resident.locator('.van-tab', { hasText: '个人捐赠' }).tap()
    await resident.getByTestId('my-rank').filter({ hasText: '第 1 名' }).waitFor()
  })

  test('withdrawing the consent takes the resident\'s name off the board at once', async () => {
    await resident.goto('/me')
    const sw = resident.getByTestId('consent-switch')
    await sw.waitFor()
    // The seeded resident consented to a masked name: 陈*明 leads this month's board.
    assert.equal(await sw.getAttribute('aria-checked'), 'true')
    await checkLayout(resident, 'profile consent')
    await shot(resident, '100-profile-consent')
    await sw.tap()
    await resident.locator('.van-toast', { hasText: '爱心人士' }).waitFor()
    await resident.goto('/board')
    await resident.getByTestId('my-rank').filter({ hasText: '第 1 名' }).waitFor()
    await resident.waitForFunction(() => /爱心人士/.test(document.querySelector('[data-testid="board-entry"]')?.textContent ?? ''), null, { timeout: 15_000 })
    await shot(resident, '101-board-after-withdrawal')
    // And back, so the rest of the run sees the seeded choice.
    await resident.goto('/me')
    await resident.getByTestId('consent-switch').tap()
    await resident.getByTestId('consent-masked').waitFor()
  })

  test('offline, the last board seen still shows', async () => {
    await resident.goto('/board')
    await resident.getByTestId('my-rank').filter({ hasText: '第 1 名' }).waitFor()
    await resident.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 30_000 })
    // Every answer is in, so the cache the phone keeps holds this board.
    await resident.waitForLoadState('networkidle')
    await residentCtx.setOffline(true)
    try {
      await resident.reload()
      await resident.getByTestId('offline-banner').waitFor()
      await resident.getByTestId('my-rank').filter({ hasText: '第 1 名' }).waitFor({ timeout: 15_000 })
      await shot(resident, '75-board-offline')
    } finally {
      await residentCtx.setOffline(false)
    }
  })

  test('a partner honours a resident\'s voucher, and a second honour is refused', async () => {
    await resident.goto('/perks')
    const offer = resident.locator('[data-testid="perk-offer"][data-claimable="true"]', { hasText: '洞头农商银行' }).first()
    await offer.waitFor()
    await checkLayout(resident, 'perks')
    await shot(resident, '76-perks')
    await offer.getByTestId('perk-claim').tap()
    await resident.getByTestId('voucher-countdown').waitFor()
    assert.match((await resident.getByTestId('voucher-countdown').textContent()) ?? '', /\d\d:\d\d 后失效/)
    const code = (await resident.getByTestId('pickup-code').textContent())?.trim() ?? ''
    assert.equal(code.length, 12, `a 12-character voucher code: ${code}`)
    await resident.getByTestId('pickup-qr').locator('img').waitFor()
    await shot(resident, '77-voucher')

    await partner.goto('/partner')
    await partner.getByTestId('voucher-code').locator('input').fill(code.toLowerCase())
    await checkLayout(partner, 'partner')
    await partner.getByTestId('voucher-lookup').tap()
    await partner.locator('[data-testid="voucher-found"][data-status="ISSUED"]').waitFor()
    assert.equal((await partner.getByTestId('voucher-holder').locator('.van-cell__value').textContent())?.trim(), '陈*明')
    await shot(partner, '78-partner-lookup')
    await partner.getByTestId('voucher-honour').tap()
    await partner.getByTestId('voucher-honoured').waitFor()
    await shot(partner, '79-partner-honoured')

    // The same code again: it reads as honoured, and the button cannot honour it a second time.
    await partner.getByTestId('voucher-code').locator('input').fill(code)
    await partner.getByTestId('voucher-lookup').tap()
    await partner.locator('[data-testid="voucher-found"][data-status="HONOURED"]').waitFor()
    const honour = partner.getByTestId('voucher-honour')
    assert.equal(await honour.isDisabled(), true, 'a used voucher cannot be confirmed')
    assert.equal(await honour.getAttribute('data-blocked'), 'HONOURED')
    assert.match((await honour.textContent()) ?? '', /已核销，不能再次核销/)
    assert.match((await partner.getByTestId('voucher-status').textContent()) ?? '', /已核销/)
    await shot(partner, '80-partner-refused')

    await resident.goto('/perks')
    await resident.locator('.van-tab', { hasText: '我的礼遇券' }).tap()
    await resident.getByTestId('voucher-cell').filter({ hasText: '已核销' }).first().waitFor()
    await shot(resident, '81-my-vouchers')
  })

  test('a partner scans a voucher QR with the camera', async () => {
    await resident.goto('/perks')
    const offer = resident.locator('[data-testid="perk-offer"][data-claimable="true"]', { hasText: '洞头农商银行' }).first()
    await offer.getByTestId('perk-claim').tap()
    await resident.getByTestId('voucher-countdown').waitFor()
    const code = (await resident.getByTestId('pickup-code').textContent())?.trim() ?? ''

    // The partner's phone camera films the resident's screen: here, a video of that QR code.
    const dir = mkdtempSync(join(tmpdir(), 'dt-camera-'))
    const video = join(dir, 'voucher.y4m')
    await writeQrVideo(code, video)
    const cameraBrowser = await launchBrowserWithCamera(video)
    try {
      const ctx = await newPhone(cameraBrowser, api.url)
      await ctx.grantPermissions(['camera'])
      const page = await ctx.newPage()
      page.on('pageerror', (e) => console.error(`[camera] page error: ${e.message}`))
      await login(page, PHONES.partner)
      await page.getByTestId('scan-open').tap()
      await page.locator('[data-testid="voucher-found"][data-status="ISSUED"]').waitFor({ timeout: 20_000 })
      assert.equal((await page.getByTestId('voucher-code').locator('input').inputValue()).trim(), code)
      await shot(page, '97-partner-scanned')
      await page.getByTestId('voucher-honour').tap()
      await page.getByTestId('voucher-honoured').waitFor()
    } finally {
      await cameraBrowser.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('a resident signs up, checks in offline (kept, then sent) and out with a typed code', async () => {
    await resident.goto('/activities')
    await resident.getByTestId('activity-cell').first().waitFor()
    await checkLayout(resident, 'activities')
    await shot(resident, '82-activities')
    await resident.getByTestId('activity-cell').filter({ hasText: ACTIVITY_TITLE }).tap()
    await resident.getByTestId('activity-signup').tap()
    await resident.getByTestId('my-signup').waitFor()
    await checkLayout(resident, 'activity')
    await shot(resident, '83-activity-signed-up')

    // The organiser's screen shows the rotating code, as a QR and as text to type.
    await staff.goto('/staff/activities')
    await staff.getByTestId('activity-cell').filter({ hasText: ACTIVITY_TITLE }).tap()
    await staff.getByTestId('participant').filter({ hasText: '陈晓明' }).waitFor()
    await checkLayout(staff, 'staff-activity')
    await shot(staff, '84-staff-activity')
    await staff.getByTestId('show-checkin-code').tap()
    await staff.getByTestId('qr-code').locator('img').waitFor()
    const popup = staff.getByTestId('checkin-code-popup')
    const checkinCode = (await popup.getAttribute('data-payload')) ?? ''
    assert.match(checkinCode, /^DTCK1\./)
    // The signed token is in the QR code only, never printed on the screen.
    assert.doesNotMatch((await popup.textContent()) ?? '', /DTCK1/)
    assert.notEqual(await staff.getByTestId('qr-code').locator('img').getAttribute('alt'), checkinCode)
    await shot(staff, '85-staff-checkin-code')
    await staff.getByTestId('checkin-fullscreen').tap()
    await staff.locator('[data-testid="checkin-code-popup"][data-full="true"]').waitFor()
    const qrBox = await staff.getByTestId('qr-code').locator('img').boundingBox()
    assert.ok(qrBox && qrBox.width >= 300, `the full-screen QR is larger: ${qrBox?.width}`)
    await shot(staff, '85b-staff-checkin-code-full')
    await staff.locator('.code-popup .van-popup__close-icon').tap()
    await staff.locator('[data-testid="checkin-code-popup"][data-full="false"]').waitFor()

    // No signal: the code is kept on the phone and listed as pending …
    await resident.getByTestId('activity-checkin').tap()
    await resident.getByTestId('checkin-code').waitFor()
    // Opened from the activity, the check-in page names it.
    await resident.getByTestId('checkin-activity').filter({ hasText: ACTIVITY_TITLE }).waitFor()
    await residentCtx.setOffline(true)
    try {
      await resident.getByTestId('offline-banner').waitFor()
      await resident.getByTestId('checkin-code').locator('input').fill(checkinCode)
      await resident.getByTestId('checkin-submit').tap()
      await resident.getByTestId('checkin-kept').waitFor()
      // The activity's title comes from what the phone saw before the signal went.
      await resident.locator('[data-testid="pending-checkin"][data-state="waiting"]', { hasText: ACTIVITY_TITLE }).waitFor()
      await checkLayout(resident, 'checkin pending')
      await shot(resident, '86-checkin-pending-offline')
    } finally {
      await residentCtx.setOffline(false)
    }
    // … and sent when the signal returns.
    await resident.getByTestId('pending-checkin').waitFor({ state: 'detached', timeout: 15_000 })
    // The notice that it was kept goes once it is sent.
    await resident.getByTestId('checkin-kept').waitFor({ state: 'detached' })
    await shot(resident, '87-checkin-sent')
    await staff.reload()
    await staff.getByTestId('participant').filter({ hasText: '陈晓明' }).filter({ hasNotText: '未签到' }).waitFor()

    // Online, a typed code goes straight through: check out with the six-character code shown
    // beside the QR (as read off the screen: in groups, in lower case).
    await staff.getByTestId('show-checkin-code').tap()
    await staff.getByTestId('checkin-short-code').waitFor()
    const shortCode = (await staff.getByTestId('checkin-short-code').getAttribute('data-code')) ?? ''
    assert.match(shortCode, /^[2-9A-HJKMNP-Z]{6}$/)
    assert.equal((await staff.getByTestId('checkin-short-code').textContent())?.trim(), `${shortCode.slice(0, 3)} ${shortCode.slice(3)}`)
    await checkLayout(staff, 'staff check-in code')
    await resident.locator('.van-tab', { hasText: '签退' }).tap()
    // A wrong code is refused with a clear message, and nothing is kept.
    await resident.getByTestId('checkin-code').locator('input').fill(shortCode === '222222' ? '333333' : '222222')
    await resident.getByTestId('checkin-submit').tap()
    await resident.getByText('签到码无效或已过期').waitFor()
    // The activity starts in ten minutes: leaving now would record no hours, so the check-out
    // is refused and the phone says when it can be done (nothing is kept to send later).
    await resident.getByTestId('checkin-code').locator('input').fill(`${shortCode.slice(0, 3)} ${shortCode.slice(3)}`.toLowerCase())
    await resident.getByTestId('checkin-submit').tap()
    const startsAt = new Date(activityStartsAt + 8 * 3600_000).toISOString().slice(11, 16)
    await resident.getByText(`活动 ${startsAt} 开始，开始后才能签退`).waitFor()
    assert.equal(await resident.getByTestId('checkin-done').count(), 0)
    assert.equal(await resident.getByTestId('pending-checkin').count(), 0)
    await shot(resident, '88-checkout-too-early')

    // Staff punching out by phone are told the same.
    await staff.keyboard.press('Escape')
    await staff.reload()
    await staff.getByTestId('punch-phone').locator('input').fill(PHONES.resident)
    await staff.getByTestId('punch-out').tap()
    await staff.getByText(`活动 ${startsAt} 开始，开始后才能签退`).waitFor()
    await staff.getByTestId('punch-phone').locator('input').fill('13700000999')
    await staff.getByTestId('punch-in').tap()
    await staff.getByText('该手机号未报名本活动').waitFor()
    await checkLayout(staff, 'staff-activity by phone')
    await shot(staff, '98-staff-punch-by-phone')

    // Not a code at all is refused on the phone, before anything is kept or sent.
    await resident.getByTestId('checkin-code').locator('input').fill('hello')
    await resident.getByTestId('checkin-submit').tap()
    await resident.getByText('这不是有效的签到码').waitFor()
  })

  test('a resident scans the activity QR with the camera to check in', async () => {
    await staff.goto('/staff/activities')
    await staff.getByTestId('activity-cell').filter({ hasText: ACTIVITY_TITLE }).tap()
    await staff.getByTestId('show-checkin-code').tap()
    await staff.getByTestId('qr-code').locator('img').waitFor()
    const payload = (await staff.getByTestId('checkin-code-popup').getAttribute('data-payload')) ?? ''
    const dir = mkdtempSync(join(tmpdir(), 'dt-camera-'))
    const video = join(dir, 'checkin.y4m')
    await writeQrVideo(payload, video)
    const cameraBrowser = await launchBrowserWithCamera(video)
    try {
      const ctx = await newPhone(cameraBrowser, api.url)
      await ctx.grantPermissions(['camera'])
      const page = await ctx.newPage()
      await login(page, PHONES.resident)
      await page.goto('/checkin')
      await page.getByTestId('scan-open').tap()
      // Already checked in: the api answers with the first check-in, which the phone shows.
      await page.getByTestId('checkin-done').waitFor({ timeout: 20_000 })
      assert.match((await page.getByTestId('checkin-done').textContent()) ?? '', new RegExp(ACTIVITY_TITLE))
      await shot(page, '99-checkin-scanned')
    } finally {
      await cameraBrowser.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('hours, the certificate and project pages show', async () => {
    await resident.goto('/hours')
    await resident.getByTestId('signup-cell').first().waitFor()
    const total = Number((await resident.getByTestId('hours-total').locator('.figure').textContent())?.replace(/[^\d.]/g, ''))
    assert.ok(total > 0, 'the seeded resident has certified hours')
    await checkLayout(resident, 'hours')
    await shot(resident, '89-hours')
    await resident.getByTestId('to-certificate').tap()
    await resident.getByTestId('printable-frame').waitFor()
    // Its QR opens the public check of this certificate, which anyone can load.
    await resident.getByTestId('document-verify').locator('img').waitFor()
    const checkUrl = new URL((await resident.getByTestId('document-verify').getAttribute('data-url')) ?? '')
    assert.match(checkUrl.pathname, /^\/verify\/certificate\/[^/]+$/)
    await shot(resident, '90-certificate')

    await resident.goto('/projects')
    await resident.getByTestId('project-cell').first().waitFor()
    await checkLayout(resident, 'projects')
    await shot(resident, '91-projects')
    await resident.getByTestId('project-cell').first().tap()
    await resident.getByTestId('project-figures').waitFor()
    assert.match((await resident.getByTestId('project-raised').textContent()) ?? '', /¥/)
    await checkLayout(resident, 'project')
    await shot(resident, '92-project')

    await staff.goto('/staff/activities')
    await staff.getByTestId('activity-cell').first().waitFor()
    await checkLayout(staff, 'staff-activities')
    await shot(staff, '93-staff-activities')
  })

  test('activities filter by town, and staff see a finished activity fully certified', async () => {
    await resident.goto('/activities')
    await resident.getByTestId('activity-cell').first().waitFor()
    await resident.locator('.van-dropdown-menu__item').first().tap()
    await resident.locator('.van-dropdown-item__option:visible', { hasText: '东屏街道' }).tap()
    await resident.waitForFunction(() => {
      const cells = [...document.querySelectorAll('[data-testid="activity-cell"]')]
      return cells.length > 0 && cells.every((c) => (c.textContent ?? '').includes('东屏街道'))
    }, null, { timeout: 15_000 })
    await checkLayout(resident, 'activities by town')
    await shot(resident, '95-activities-town')

    await staff.goto('/staff/activities')
    for (let i = 0; i < 5 && !(await staff.getByTestId('activity-cell').filter({ hasText: '9·5慈善日义卖' }).isVisible()); i++) {
      await staff.mouse.wheel(0, 5_000)
      await staff.waitForTimeout(300)
    }
    await staff.getByTestId('activity-cell').filter({ hasText: '9·5慈善日义卖' }).tap()
    await staff.getByTestId('participant').first().waitFor()
    assert.equal(await staff.getByTestId('certify-all').isDisabled(), true, 'nothing left to certify')
    assert.match((await staff.getByTestId('certify-all').textContent()) ?? '', /已全部认证/)
    await checkLayout(staff, 'staff-activity finished')
    await shot(staff, '96-staff-activity-certified')
  })

  test('staff certify a finished activity in bulk, changing one person\'s time, and the resident sees the hours', async () => {
    const TITLE = '北岙海岸植树护绿'
    await staff.goto('/staff/activities')
    for (let i = 0; i < 5 && !(await staff.getByTestId('activity-cell').filter({ hasText: TITLE }).isVisible()); i++) {
      await staff.mouse.wheel(0, 5_000)
      await staff.waitForTimeout(300)
    }
    await staff.getByTestId('activity-cell').filter({ hasText: TITLE }).tap()
    await staff.getByTestId('participant').filter({ hasText: '陈晓明' }).waitFor()
    const certifyAll = staff.getByTestId('certify-all')
    assert.match((await certifyAll.textContent()) ?? '', /批量认证 \d+ 人的时长/)
    await certifyAll.tap()
    const sheet = staff.getByTestId('certify-sheet')
    const me = sheet.getByTestId('certify-person').filter({ hasText: '陈晓明' })
    await me.waitFor()
    // 09:03–10:20 attended: 1 hour proposed; staff add half an hour, which needs a reason.
    assert.equal(await me.locator('input').first().inputValue(), '1.0')
    assert.match((await me.textContent()) ?? '', /小时/)
    assert.doesNotMatch((await me.textContent()) ?? '', /分钟/)
    await me.locator('.van-stepper__plus').tap()
    assert.equal(await me.locator('input').first().inputValue(), '1.5')
    await sheet.getByTestId('certify-submit').tap()
    await me.getByText('调整时长须填写原因').waitFor()
    await me.getByTestId('certify-reason').locator('input').fill('提前到场协助搬运苗木')
    await checkLayout(staff, 'certify sheet')
    await shot(staff, '102-staff-certify-overrides')
    await sheet.getByTestId('certify-submit').tap()
    await staff.locator('.van-toast', { hasText: '已认证' }).waitFor()
    await staff.getByTestId('certify-all').filter({ hasText: '已全部认证' }).waitFor()
    await staff.getByTestId('participant').filter({ hasText: '陈晓明' }).filter({ hasText: '1.5 小时' }).waitFor()
    await shot(staff, '103-staff-certified')

    await resident.goto('/hours')
    const line = resident.getByTestId('signup-cell').filter({ hasText: TITLE })
    await line.waitFor()
    await line.filter({ hasText: '1.5 小时' }).waitFor()
    await checkLayout(resident, 'hours after certification')
    await shot(resident, '104-resident-hours-certified')
  })

  test('a broadcast ADMIN publishes appears on an open resident home without a reload', async () => {
    // Listen from the socket's first moment: the subscribe frame may go out before the home
    // has finished rendering.
    /** @type {(ws: import('playwright-core').WebSocket) => void} */
    let onSocket = () => {}
    const subscribed = new Promise((resolve) => {
      onSocket = (ws) => {
        if (!ws.url().endsWith('/graphql/ws')) return
        ws.on('framesent', (f) => {
          if (String(f.payload).includes('"subscribe"')) resolve(null)
        })
      }
    })
    resident.on('websocket', onSocket)
    await resident.goto('/home')
    await resident.getByTestId('home-broadcast').waitFor()
    await subscribed
    resident.off('websocket', onSocket)
    // The server registers the subscription as it reads the frame; give it that moment.
    await resident.waitForTimeout(500)
    const before = await resident.getByTestId('home-broadcast').getAttribute('data-id')

    const title = `端到端：直播广播 ${Date.now().toString(36)}`
    const staffToken = await apiToken(api.url, PHONES.staff)
    const posted = await gql(
      api.url,
      `mutation($input: PostBroadcastInput!) { postBroadcast(input: $input) { id } }`,
      { input: { kind: 'NEED', title, body: '东屏街道独居老人冬季需要棉被 20 床。' } },
      staffToken,
    )
    const adminToken = await apiToken(api.url, PHONES.admin)
    await gql(api.url, `mutation($id: ID!) { publishBroadcast(id: $id) { id } }`, { id: posted.postBroadcast.id }, adminToken)

    await resident.getByTestId('home-broadcast').filter({ hasText: title }).waitFor({ timeout: 10_000 })
    assert.notEqual(await resident.getByTestId('home-broadcast').getAttribute('data-id'), before)
    await shot(resident, '105-home-live-broadcast')
  })

  test('a donor chooses how a donation shows, and the board follows at once', async () => {
    await resident.goto('/donations')
    await resident.getByTestId('to-visibility').tap()
    const newest = resident.getByTestId('visibility-donation').first()
    await newest.waitFor()
    await checkLayout(resident, 'donation visibility')
    await shot(resident, '106-donation-visibility')
    // The ¥50,000 staff logged this month leads the month's board as 陈*明 …
    assert.match((await newest.textContent()) ?? '', /50,?000/)
    assert.equal(await newest.getAttribute('data-visibility'), 'MASKED')
    await newest.tap()
    await resident.locator('.van-action-sheet__item', { hasText: '匿名（爱心人士）' }).tap()
    await resident.locator('.van-toast', { hasText: '已更新' }).waitFor()
    await resident.locator('[data-testid="visibility-donation"][data-visibility="ANONYMOUS"]').first().waitFor()
    await shot(resident, '107-donation-anonymous')
    // … and, made anonymous, shows as 爱心人士 while still counting for the donor.
    await resident.goto('/board')
    await resident.waitForFunction(() => /爱心人士/.test(document.querySelector('[data-testid="board-entry"]')?.textContent ?? ''), null, { timeout: 15_000 })
    await resident.getByTestId('my-rank').filter({ hasText: '第 1 名' }).waitFor()
    // Back to masked, so the rest of the run sees the seeded choice.
    await resident.goto('/donations/visibility')
    await resident.getByTestId('visibility-donation').first().tap()
    await resident.locator('.van-action-sheet__item', { hasText: '隐去中间字' }).tap()
    await resident.locator('[data-testid="visibility-donation"][data-visibility="MASKED"]').first().waitFor()
    await resident.goto('/board')
    await resident.waitForFunction(() => /陈\*明/.test(document.querySelector('[data-testid="board-entry"]')?.textContent ?? ''), null, { timeout: 15_000 })
  })

  test('the 慈善榜 loads further pages as the resident scrolls', async () => {
    await resident.goto('/board')
    await resident.getByTestId('board-entry').first().waitFor()
    await resident.locator('.van-dropdown-menu__item').first().tap()
    await resident.locator('.van-dropdown-item__option:visible', { hasText: '累计' }).tap()
    await resident.getByTestId('board-summary').filter({ hasText: '累计' }).waitFor()
    await resident.getByTestId('board-entry').nth(19).waitFor()
    for (let i = 0; i < 10 && (await resident.getByTestId('board-entry').count()) <= 40; i++) {
      await resident.mouse.wheel(0, 5_000)
      await resident.waitForTimeout(300)
    }
    const ranks = await resident.getByTestId('board-entry').locator('.rank').allTextContents()
    assert.ok(ranks.length > 40, `more than two pages: ${ranks.length}`)
    const numbers = ranks.map(Number)
    // Competition ranks never go down and never skip past the position (ties share one).
    numbers.forEach((r, i) => {
      assert.ok(r <= i + 1, `rank ${r} at ${i + 1}`)
      if (i > 0) assert.ok(r >= numbers[i - 1], `rank order at ${i + 1}`)
    })
    await checkLayout(resident, 'board scrolled')
    await shot(resident, '108-board-scrolled')
  })

  test('the new screens fit a 360 px wide phone', async () => {
    await resident.setViewportSize({ width: 360, height: 740 })
    try {
      for (const path of ['/board', '/activities', '/checkin', '/hours', '/perks', '/projects', '/donations/visibility']) {
        await resident.goto(path)
        await resident.locator('.van-nav-bar__title').first().waitFor()
        await resident.waitForLoadState('networkidle')
        assert.equal(await horizontalOverflow(resident), 0, `${path} at 360 px`)
      }
      await shot(resident, '94-projects-360')
    } finally {
      await resident.setViewportSize({ width: 390, height: 844 })
    }
  })
})
