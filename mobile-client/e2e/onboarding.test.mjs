// Getting in and getting out, end to end against the real api: a brand-new phone registers in
// the app with the code texted to it (read from the api's log: no gateway is configured) and
// goes through a volunteer's whole round, the staff doing their part in their own app; a phone
// asking for codes too often is told how long to wait; a forgotten password is reset and the
// person is logged in with the new one; a resident deletes their account.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  PASSWORD,
  PHONES,
  apiToken,
  gql,
  horizontalOverflow,
  launchBrowser,
  login,
  lowContrast,
  newPhone,
  shot,
  smallTapTargets,
  smsCode,
  startApi,
} from './harness.mjs'

/** @type {Awaited<ReturnType<typeof startApi>>} */
let api
/** @type {import('playwright-core').Browser} */
let browser
/** @type {import('playwright-core').Page} */
let staff
/** @type {string} */
let staffToken

/** @param {import('playwright-core').Page} page @param {string} name */
async function checkLayout(page, name) {
  assert.equal(await horizontalOverflow(page), 0, `${name}: no horizontal scroll`)
  assert.deepEqual(await smallTapTargets(page), [], `${name}: tap targets`)
  assert.deepEqual(await lowContrast(page), [], `${name}: contrast`)
}

/** The balance on the resident's home, once the api has answered. @param {import('playwright-core').Page} page */
async function homeBalance(page) {
  await page.goto('/home')
  const text = await page.locator('[data-testid="home"][data-fresh="true"] [data-testid="credit-balance"]').textContent({ timeout: 15_000 })
  return Number(text?.trim())
}

/** Pick `text` in the picker a field opens. @param {import('playwright-core').Page} page @param {string} field @param {string} text */
async function pick(page, field, text) {
  await page.getByTestId(`pick-${field}`).tap()
  const picker = page.locator('.van-popup:visible .van-picker')
  await picker.locator('.van-picker-column__item', { hasText: text }).tap()
  await page.waitForTimeout(400)
  await picker.locator('.van-picker__confirm').tap()
  await picker.waitFor({ state: 'hidden' })
}

/** Register `phone` through the api (setting the stage), answering its access token. @param {string} phone @param {string} name */
async function registerByApi(phone, name) {
  const before = (await import('./harness.mjs')).smsTexts(api, phone).length
  await gql(api.url, 'mutation($p: String!) { requestPhoneCode(phone: $p, purpose: REGISTER) { sentTo } }', { p: phone })
  const code = await smsCode(api, phone, before)
  const { privacyPolicy } = await gql(api.url, '{ privacyPolicy { version } }')
  const data = await gql(
    api.url,
    'mutation($input: RegisterResidentInput!) { registerResident(input: $input) { accessToken } }',
    { input: { phone, code, password: PASSWORD, name, agreedPolicyVersion: privacyPolicy.version } },
  )
  return /** @type {string} */ (data.registerResident.accessToken)
}

/** A project of the staff's organisation that takes donations. */
async function staffProjectId() {
  const { me } = await gql(api.url, '{ me { account { org { id } } } }', {}, staffToken)
  const { charityProjects } = await gql(api.url, 'query($o: ID) { charityProjects(orgId: $o, first: 50) { nodes { id status } } }', { o: me.account.org.id }, staffToken)
  return /** @type {string} */ (charityProjects.nodes.find((/** @type {{ status: string }} */ p) => p.status === 'ACTIVE').id)
}

before(async () => {
  api = await startApi()
  browser = await launchBrowser()
  staff = await (await newPhone(browser, api.url)).newPage()
  staff.on('pageerror', (e) => console.error(`[staff] page error: ${e.message}`))
  await login(staff, PHONES.staff)
  staffToken = await apiToken(api.url, PHONES.staff)
})

after(async () => {
  await browser?.close()
  await api?.stop()
})

describe('registering, resetting, deleting', () => {
  test('a brand-new phone registers in the app, volunteers, gets its hours certified and redeems credits', async () => {
    const PHONE = '13712340001'
    const NAME = '林海燕'
    const ctx = await newPhone(browser, api.url)
    try {
      const page = await ctx.newPage()
      page.on('pageerror', (e) => console.error(`[new resident] page error: ${e.message}`))

      // From the public home to 注册.
      await page.goto('/')
      await page.getByTestId('welcome-register').tap()
      await page.waitForURL(/\/register$/)
      const notice = page.getByTestId('privacy-notice')
      await notice.waitFor()
      const version = (await notice.getAttribute('data-version')) ?? ''
      assert.match(version, /\S/, 'the notice shows its version')
      assert.match((await notice.textContent()) ?? '', /个人信息保护告知/)
      await checkLayout(page, 'register')
      await shot(page, '600-register')

      await page.locator('input[name="phone"]').fill(PHONE)
      await page.getByTestId('code-send').tap()
      await page.getByTestId('code-notice').filter({ hasText: '137****0001' }).waitFor()
      assert.equal(await page.getByTestId('code-send').isDisabled(), true, 'no second code before the wait is over')
      assert.match((await page.getByTestId('code-send').textContent()) ?? '', /\d+ 秒后重发/)
      const code = await smsCode(api, PHONE)
      await page.locator('input[name="code"]').fill(code)
      await page.locator('input[name="name"]').fill(NAME)
      await pick(page, 'town', '东屏街道')
      // A password the API's rules refuse is explained before anything is sent.
      await page.locator('input[name="newPassword"]').fill('12345678')
      await page.locator('input[name="again"]').fill('12345678')
      await page.getByTestId('register-submit').tap()
      await page.getByText('密码不能是连续的字符').waitFor()
      await page.locator('input[name="newPassword"]').fill('Haidao#2027')
      await page.locator('input[name="again"]').fill('Haidao#2027')
      // Not without agreeing to the notice.
      await page.getByTestId('register-submit').tap()
      await page.locator('.van-toast', { hasText: '请先阅读并勾选同意' }).waitFor()
      await page.getByTestId('register-agree').tap()
      await shot(page, '601-register-filled')
      await page.getByTestId('register-submit').tap()

      // Registered is logged in, kept like a login, on the resident's home.
      await page.waitForURL(/\/home$/)
      await page.getByText(`${NAME}，您好`).waitFor()
      const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('dt.session') ?? 'null'))
      assert.equal(stored?.account?.role, 'RESIDENT')
      assert.equal(stored?.account?.displayName, NAME)
      assert.equal(await homeBalance(page), 0)
      await page.goto('/me')
      assert.equal((await page.getByTestId('profile-notice-version').locator('.van-cell__value').textContent())?.trim(), version)
      await page.getByTestId('profile-notice-agreed').waitFor()
      await checkLayout(page, 'profile of a new resident')
      await shot(page, '602-registered-profile')

      // An activity of the staff's organisation opens for sign-up: it starts in 25 seconds and
      // lasts 10, so its hours can be certified within the test.
      const TITLE = `端到端：新居民志愿 ${Date.now().toString(36)}`
      const startsAt = Date.now() + 25_000
      const endsAt = startsAt + 10_000
      const created = await gql(
        api.url,
        'mutation($input: ActivityInput!) { createActivity(input: $input) { id } }',
        {
          input: {
            title: TITLE,
            description: '东岙村海滩清洁，新志愿者欢迎参加。',
            townCode: 'DONGPING',
            place: '东岙村海滩',
            startsAt: new Date(startsAt).toISOString(),
            endsAt: new Date(endsAt).toISOString(),
            capacity: 5,
            signupDeadline: new Date(startsAt).toISOString(),
          },
        },
        staffToken,
      )
      await gql(api.url, 'mutation($id: ID!) { publishActivity(id: $id) { id } }', { id: created.createActivity.id }, staffToken)

      // The new resident signs up in the app.
      await page.goto('/activities')
      await page.getByTestId('activity-cell').filter({ hasText: TITLE }).tap()
      await page.getByTestId('activity-signup').tap()
      await page.getByTestId('my-signup').waitFor()
      assert.ok(Date.now() < startsAt, 'signed up before the activity started')
      await shot(page, '603-new-resident-signed-up')

      // The staff check them in and out by phone at the activity …
      await staff.goto(`/staff/activities/${created.createActivity.id}`)
      await staff.getByTestId('participant').filter({ hasText: NAME }).waitFor()
      await staff.getByTestId('punch-phone').locator('input').fill(PHONE)
      await staff.getByTestId('punch-in').tap()
      await staff.locator('.van-toast', { hasText: '签到成功' }).waitFor()
      // Checking out is possible once the activity has started.
      await new Promise((done) => setTimeout(done, Math.max(0, startsAt - Date.now() + 1_000)))
      await staff.getByTestId('punch-phone').locator('input').fill(PHONE)
      await staff.getByTestId('punch-out').tap()
      await staff.locator('.van-toast', { hasText: '签退成功' }).waitFor()

      // … and log the resident's donation at the desk: ¥100 earns 20 credits.
      await staff.goto('/staff/donate')
      await staff.locator('input[name="phone"]').fill(PHONE)
      await staff.locator('input[name="amount"]').fill('100')
      await staff.getByTestId('pick-project').tap()
      await staff.locator('.van-picker__confirm').tap()
      await staff.getByTestId('donate-submit').tap()
      await staff.locator('.donate-confirm:visible .van-dialog__confirm').tap()
      const done = staff.locator('.van-dialog:visible', { hasText: '已记录捐赠' })
      await done.waitFor()
      assert.match((await done.textContent()) ?? '', new RegExp(`${NAME}.*获得 20 积分`))
      await done.locator('.van-dialog__confirm').tap()

      // Once the activity is over, the staff certify its hours.
      await new Promise((r) => setTimeout(r, Math.max(0, endsAt - Date.now() + 1_500)))
      await staff.goto(`/staff/activities/${created.createActivity.id}`)
      await staff.getByTestId('participant').filter({ hasText: NAME }).filter({ hasNotText: '未签到' }).waitFor()
      await staff.getByTestId('certify-all').filter({ hasText: '批量认证 1 人的时长' }).tap()
      await staff.getByTestId('certify-sheet').getByTestId('certify-person').filter({ hasText: NAME }).waitFor()
      await staff.getByTestId('certify-sheet').getByTestId('certify-submit').tap()
      await staff.locator('.van-toast', { hasText: '已认证 1 人' }).waitFor()
      await staff.getByTestId('certify-all').filter({ hasText: '已全部认证' }).waitFor()

      // The resident sees the hours certified …
      await page.goto('/hours')
      const line = page.getByTestId('signup-cell').filter({ hasText: TITLE })
      await line.filter({ hasText: '小时' }).filter({ hasNotText: '待认证' }).waitFor()
      await shot(page, '604-new-resident-hours')

      // … and spends the credits on a reward at the charity supermarket.
      assert.equal(await homeBalance(page), 20)
      await page.goto('/rewards')
      const towels = page.getByTestId('reward-card').filter({ hasText: '毛巾两条装' })
      await towels.getByTestId('reward-redeem').tap()
      await page.getByTestId('redeem-sheet').waitFor()
      await page.getByTestId('redeem-confirm').tap()
      await page.getByTestId('redeem-result').waitFor()
      const pickup = (await page.getByTestId('pickup-code').textContent())?.trim() ?? ''
      assert.ok(pickup.length > 0, 'a pickup code')
      await shot(page, '605-new-resident-redeemed')
      assert.equal(await homeBalance(page), 5)
      await page.goto('/redemptions')
      await page.locator('[data-testid="redemption-cell"][data-status="PENDING"]', { hasText: '毛巾两条装' }).waitFor()
    } finally {
      await ctx.close()
    }
  })

  test('a phone asking for codes too often is told how long to wait', async () => {
    const PHONE = '13712340002'
    // A code was asked for this phone a moment ago (elsewhere).
    await gql(api.url, 'mutation($p: String!) { requestPhoneCode(phone: $p, purpose: REGISTER) { sentTo } }', { p: PHONE })
    const ctx = await newPhone(browser, api.url)
    try {
      const page = await ctx.newPage()
      await page.goto('/login')
      await page.getByTestId('login-register').tap()
      await page.waitForURL(/\/register$/)
      await page.locator('input[name="phone"]').fill(PHONE)
      await page.getByTestId('code-send').tap()
      await page.getByTestId('code-notice').filter({ hasText: '获取验证码太频繁' }).waitFor()
      const button = page.getByTestId('code-send')
      assert.equal(await button.isDisabled(), true, 'the button waits')
      const wait = Number(await button.getAttribute('data-wait'))
      assert.ok(wait > 30 && wait <= 60, `the wait the api named: ${wait} s`)
      assert.match((await button.textContent()) ?? '', /\d+ 秒后重发/)
      await shot(page, '606-code-rate-limited')
    } finally {
      await ctx.close()
    }
  })

  test('a forgotten password is reset with a texted code, and the new one logs in at once', async () => {
    const ctx = await newPhone(browser, api.url)
    try {
      const page = await ctx.newPage()
      await page.goto('/login')
      await page.getByTestId('login-forgot').tap()
      await page.waitForURL(/\/forgot-password$/)
      await checkLayout(page, 'forgot password')
      await page.locator('input[name="phone"]').fill(PHONES.resident)
      await page.getByTestId('code-send').tap()
      await page.getByTestId('code-notice').filter({ hasText: '138****0001' }).waitFor()
      const code = await smsCode(api, PHONES.resident)
      await page.locator('input[name="newPassword"]').fill('Haixia@2028')
      await page.locator('input[name="again"]').fill('Haixia@2028')
      // A wrong code is refused in words, and the right one still works after it.
      await page.locator('input[name="code"]').fill(code === '000000' ? '111111' : '000000')
      await page.getByTestId('forgot-submit').tap()
      await page.getByText('验证码不正确、已过期或已用过').waitFor()
      await shot(page, '607-forgot-wrong-code')
      await page.locator('input[name="code"]').fill(code)
      await page.getByTestId('forgot-submit').tap()
      await page.waitForURL(/\/home$/)
      await page.getByText('陈晓明，您好').waitFor()
      await shot(page, '608-forgot-logged-in')

      // The old password no longer logs in; the new one does.
      await assert.rejects(gql(api.url, 'mutation($p: String!, $w: String!) { login(phone: $p, password: $w) { accessToken } }', { p: PHONES.resident, w: PASSWORD }), /UNAUTHENTICATED/)
      await gql(api.url, 'mutation($p: String!, $w: String!) { login(phone: $p, password: $w) { accessToken } }', { p: PHONES.resident, w: 'Haixia@2028' })
    } finally {
      await ctx.close()
    }
  })

  test('a resident deletes their account: signed out, the login gone, the donation kept as 已注销用户', async () => {
    const PHONE = '13712340003'
    const token = await registerByApi(PHONE, '周小渔')
    // A donation for the resident, which must outlive the account.
    const receiptNo = `E2E-ERASE-${Date.now().toString(36)}`
    const { recordDonation } = await gql(
      api.url,
      'mutation($input: RecordDonationInput!) { recordDonation(input: $input) { donation { id } } }',
      {
        input: {
          idempotencyKey: crypto.randomUUID(),
          projectId: await staffProjectId(),
          donor: { resident: { phone: PHONE } },
          kind: 'MONEY',
          amount: '50.00',
          channel: 'OFFLINE',
          donatedAt: new Date().toISOString(),
          receiptNo,
          visibility: 'MASKED',
        },
      },
      staffToken,
    )
    assert.ok(token)
    const ctx = await newPhone(browser, api.url)
    try {
      const page = await ctx.newPage()
      await login(page, PHONE)
      await page.goto('/me')
      await page.getByTestId('to-delete-account').tap()
      await page.waitForURL(/\/me\/delete$/)
      const warning = (await page.getByTestId('delete-warning').textContent()) ?? ''
      assert.match(warning, /姓名、手机号、身份证号/, 'what is erased')
      assert.match(warning, /已注销用户/, 'what stays')
      await checkLayout(page, 'delete account')
      await shot(page, '609-delete-account')

      await page.locator('input[name="password"]').fill('not-my-password')
      await page.getByTestId('delete-understand').tap()
      await page.getByTestId('delete-submit').tap()
      await page.locator('.van-dialog:visible .van-dialog__confirm').tap()
      await page.getByText('密码不正确').waitFor()
      await page.locator('input[name="password"]').fill(PASSWORD)
      await page.getByTestId('delete-submit').tap()
      await page.locator('.van-dialog:visible .van-dialog__confirm').tap()

      // Signed out on the public home, the session forgotten on the phone.
      await page.waitForURL(/\/welcome$/)
      assert.equal(await page.evaluate(() => localStorage.getItem('dt.session')), null)
      await shot(page, '610-deleted')
      await page.goto('/login')
      await page.locator('input[name="phone"]').fill(PHONE)
      await page.locator('input[name="password"]').fill(PASSWORD)
      await page.getByTestId('login-submit').tap()
      await page.getByText('手机号或密码不正确').waitFor()
    } finally {
      await ctx.close()
    }
    // The old token is dead, and the donation stays in the ledger under the pseudonym.
    await assert.rejects(gql(api.url, '{ me { account { id } } }', {}, token), /UNAUTHENTICATED/)
    const { donation } = await gql(api.url, 'query($id: ID!) { donation(id: $id) { donorName receiptNo status } }', { id: recordDonation.donation.id }, staffToken)
    assert.deepEqual(donation, { donorName: '已注销用户', receiptNo, status: 'CONFIRMED' })
  })
})
