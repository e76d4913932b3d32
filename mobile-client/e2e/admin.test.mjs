// The district's home on the phone (indicators, overdue public questions, publishing a ranking
// edition), and changing one's password, which ends every session.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { PASSWORD, PHONES, horizontalOverflow, launchBrowser, login, lowContrast, newPhone, shot, smallTapTargets, startApi } from './harness.mjs'

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

/** @param {import('playwright-core').Page} page @param {string} name */
async function checkLayout(page, name) {
  assert.equal(await horizontalOverflow(page), 0, `${name}: no horizontal scroll`)
  assert.deepEqual(await smallTapTargets(page), [], `${name}: tap targets`)
  assert.deepEqual(await lowContrast(page), [], `${name}: contrast`)
}

describe('admin and account', () => {
  test('ADMIN lands on a home with the plan indicators and publishes a ranking edition', async () => {
    const ctx = await newPhone(browser, api.url)
    try {
      const page = await ctx.newPage()
      await login(page, PHONES.admin)
      await page.waitForURL(/\/admin$/)
      const indicators = page.getByTestId('admin-indicator')
      await indicators.first().waitFor()
      assert.ok((await indicators.count()) >= 10, 'the plan indicators')
      assert.match((await indicators.filter({ hasText: '社会捐赠总额' }).textContent()) ?? '', /¥[\d,]+\.\d\d/)
      await page.getByTestId('admin-overdue').or(page.getByTestId('admin-no-overdue')).first().waitFor()
      await checkLayout(page, 'admin home')
      await shot(page, '500-admin-home')

      await page.getByTestId('admin-publish').scrollIntoViewIfNeeded()
      await page.getByTestId('admin-publish').tap()
      await page.locator('.van-dialog:visible .van-dialog__confirm').tap()
      await page.waitForURL(/\/board\/editions\/\d+$/)
      assert.match((await page.getByTestId('edition-hash').textContent()) ?? '', /^[0-9a-f]{64}$/)
      await shot(page, '501-admin-published')
    } finally {
      await ctx.close()
    }
  })

  test('changing the password ends the session; the new password logs in, the old one no longer', async () => {
    const ctx = await newPhone(browser, api.url)
    try {
      const page = await ctx.newPage()
      await login(page, PHONES.partner)
      await page.goto('/me')
      await page.getByTestId('to-password').tap()
      await page.waitForURL(/\/me\/password$/)
      await checkLayout(page, 'password')
      await page.locator('input[name="oldPassword"]').fill('not-my-password')
      await page.locator('input[name="newPassword"]').fill('Haixia@2027')
      await page.locator('input[name="again"]').fill('Haixia@2027')
      await page.getByTestId('password-submit').tap()
      await page.getByText('当前密码不正确').waitFor()
      await page.locator('input[name="oldPassword"]').fill(PASSWORD)
      await page.getByTestId('password-submit').tap()
      await page.waitForURL(/\/login/)
      await shot(page, '502-password-changed')

      await page.locator('input[name="phone"]').fill(PHONES.partner)
      await page.locator('input[name="password"]').fill(PASSWORD)
      await page.getByTestId('login-submit').tap()
      await page.getByText('手机号或密码不正确').waitFor()
      await page.locator('input[name="password"]').fill('Haixia@2027')
      await page.getByTestId('login-submit').tap()
      await page.waitForURL(/\/partner$/)
    } finally {
      await ctx.close()
    }
  })
})
