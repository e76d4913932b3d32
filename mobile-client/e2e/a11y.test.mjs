// 适老化 on every main screen, for a visitor and each role: texts at a readable contrast
// (computed styles), every tap target at least 44 × 44 px (bounding boxes), text sized in rem so
// it follows the phone's text size, and 长辈模式 enlarging it without breaking the layout.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  PHONES,
  fixedFontSizes,
  horizontalOverflow,
  launchBrowser,
  login,
  lowContrast,
  newPhone,
  shot,
  smallTapTargets,
  startApi,
} from './harness.mjs'

/** @type {Awaited<ReturnType<typeof startApi>>} */
let api
/** @type {import('playwright-core').Browser} */
let browser

before(async () => {
  api = await startApi()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await api?.stop()
})

/** Open a screen and wait for its data. @param {import('playwright-core').Page} page @param {string} path */
async function open(page, path) {
  await page.goto(path)
  await page.locator('.van-nav-bar__title, [data-testid="login-submit"]').first().waitFor()
  await page.waitForLoadState('networkidle')
  await page.locator('[data-testid="state-loading"]').waitFor({ state: 'detached', timeout: 15_000 })
}

/** @param {import('playwright-core').Page} page @param {string} name */
async function checkScreen(page, name) {
  assert.deepEqual(await lowContrast(page), [], `${name}: contrast`)
  assert.deepEqual(await smallTapTargets(page), [], `${name}: tap targets`)
  assert.deepEqual(await fixedFontSizes(page), [], `${name}: text follows the phone's text size`)
  assert.equal(await horizontalOverflow(page), 0, `${name}: no horizontal scroll`)
}

/** @param {string | null} phone @param {string[]} paths @param {string} who */
async function checkAll(phone, paths, who) {
  const ctx = await newPhone(browser, api.url)
  try {
    const page = await ctx.newPage()
    if (phone) await login(page, phone)
    for (const path of paths) {
      await open(page, path)
      await checkScreen(page, `${who} ${path}`)
    }
    return { ctx, page }
  } catch (e) {
    await ctx.close()
    throw e
  }
}

describe('适老化', () => {
  test('public pages: contrast, tap targets and scalable text', async () => {
    const { ctx } = await checkAll(null, ['/welcome', '/board', '/board/editions', '/activities', '/projects', '/verify', '/privacy', '/login', '/register', '/forgot-password'], 'visitor')
    await ctx.close()
  })

  test('resident screens, the broadcast popup and the consent switch', async () => {
    const { ctx, page } = await checkAll(
      PHONES.resident,
      ['/home', '/ledger', '/donations', '/rewards', '/redemptions', '/activities', '/board', '/perks', '/hours', '/baijiaxin', '/me', '/me/delete'],
      'resident',
    )
    try {
      await open(page, '/me')
      const sw = page.getByTestId('consent-switch')
      const box = await sw.boundingBox()
      assert.ok(box && box.height >= 44, `the consent switch takes a 44 px tap: ${box?.height}`)
      await open(page, '/home')
      await page.getByTestId('home-broadcast').tap()
      await page.locator('.van-popup:visible .van-popup__close-icon').waitFor()
      await checkScreen(page, 'resident broadcast popup')
      await shot(page, '400-a11y-popup')
    } finally {
      await ctx.close()
    }
  })

  test('staff and partner screens, the donation radios included', async () => {
    const staff = await checkAll(PHONES.staff, ['/staff/donate', '/staff/today', '/staff/fulfil', '/staff/activities', '/staff/desk', '/staff/projects', '/me'], 'staff')
    const radios = await staff.page.locator('.van-radio').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height))
    assert.ok(radios.length > 0 && radios.every((h) => h >= 44), `donation radios are 44 px high: ${radios}`)
    await staff.ctx.close()
    const partner = await checkAll(PHONES.partner, ['/partner', '/me'], 'partner')
    await partner.ctx.close()
  })

  test('the bureau\'s screens: its home, organisations, staff logins, projects and campaigns', async () => {
    const { ctx } = await checkAll(PHONES.admin, ['/admin', '/admin/orgs', '/admin/accounts', '/staff/projects', '/staff/desk', '/me'], 'admin')
    await ctx.close()
  })

  test('长辈模式 enlarges the text, and the screens still fit a 320 px phone', async () => {
    const { ctx, page } = await checkAll(PHONES.resident, [], 'resident')
    try {
      await open(page, '/me')
      const title = page.locator('.van-cell__title').first()
      const before = parseFloat(await title.evaluate((el) => getComputedStyle(el).fontSize))
      await page.getByTestId('elder-switch').tap()
      await page.waitForFunction(() => document.documentElement.classList.contains('elder'))
      const afterSize = parseFloat(await title.evaluate((el) => getComputedStyle(el).fontSize))
      assert.ok(afterSize >= before * 1.2, `larger type: ${before}px → ${afterSize}px`)
      await page.setViewportSize({ width: 320, height: 640 })
      for (const path of ['/home', '/ledger', '/board', '/rewards', '/activities', '/me']) {
        await open(page, path)
        assert.equal(await horizontalOverflow(page), 0, `${path} in 长辈模式 at 320 px`)
        assert.deepEqual(await lowContrast(page), [], `${path} in 长辈模式: contrast`)
      }
      await open(page, '/home')
      await shot(page, '401-elder-home-320')
      // Still on after a reload.
      await page.reload()
      await page.waitForFunction(() => document.documentElement.classList.contains('elder'))
    } finally {
      await ctx.close()
    }
  })
})
