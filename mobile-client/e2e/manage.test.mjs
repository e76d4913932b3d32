// The staff's and the bureau's new screens end to end, against the real api with its seeded
// demo data: registering a resident at a charity's desk, projects and campaigns created and
// edited (by staff for their organisation, by the bureau for the one it picks), the bureau's
// register of organisations and branches, and staff logins: opened without a password, the
// holder setting one with a texted code, disabled (the holder is out at once) and enabled again.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
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
  smsTexts,
  startApi,
} from './harness.mjs'

/** @type {Awaited<ReturnType<typeof startApi>>} */
let api
/** @type {import('playwright-core').Browser} */
let browser
/** @type {import('playwright-core').Page} */
let staff
/** @type {import('playwright-core').Page} */
let admin

/** @param {import('playwright-core').Page} page @param {string} name */
async function checkLayout(page, name) {
  assert.equal(await horizontalOverflow(page), 0, `${name}: no horizontal scroll`)
  assert.deepEqual(await smallTapTargets(page), [], `${name}: tap targets`)
  assert.deepEqual(await lowContrast(page), [], `${name}: contrast`)
}

/** Pick `text` in the picker a field opens. @param {import('playwright-core').Page} page @param {string} field @param {string} text */
async function pick(page, field, text) {
  await page.getByTestId(`pick-${field}`).tap()
  const picker = page.locator('.van-popup:visible .van-picker')
  await picker.locator('.van-picker-column__item', { hasText: text }).first().tap()
  await page.waitForTimeout(400)
  await picker.locator('.van-picker__confirm').tap()
  await picker.waitFor({ state: 'hidden' })
}

/** Take the day a date field's picker opens on (today, or the day it holds). @param {import('playwright-core').Page} page @param {string} field */
async function pickDay(page, field) {
  await page.getByTestId(`date-${field}`).tap()
  const picker = page.locator('.van-popup:visible .van-picker')
  await picker.locator('.van-picker__confirm').tap()
  await picker.waitFor({ state: 'hidden' })
}

/** The district's date today, as the date pickers open on it. */
function today() {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
}

before(async () => {
  api = await startApi()
  browser = await launchBrowser()
  staff = await (await newPhone(browser, api.url)).newPage()
  admin = await (await newPhone(browser, api.url)).newPage()
  for (const [name, page] of Object.entries({ staff, admin })) page.on('pageerror', (e) => console.error(`[${name}] page error: ${e.message}`))
  await login(staff, PHONES.staff)
  await login(admin, PHONES.admin)
})

after(async () => {
  await browser?.close()
  await api?.stop()
})

describe('staff and bureau screens', () => {
  test('staff register a resident at the desk after showing the notice; a known phone is left as it is', async () => {
    const PHONE = '13712340011'
    await staff.goto('/me')
    await staff.getByTestId('work-staff-desk').tap()
    await staff.waitForURL(/\/staff\/desk$/)
    await checkLayout(staff, 'desk')
    await staff.locator('input[name="phone"]').fill(PHONE)
    await staff.locator('input[name="name"]').fill('王阿婆')
    await pick(staff, 'town', '大门镇')
    // Not before the resident was shown the notice.
    await staff.getByTestId('desk-submit').tap()
    await staff.locator('.van-toast', { hasText: '请先向居民出示' }).waitFor()
    await staff.getByTestId('desk-show-notice').tap()
    const notice = staff.getByTestId('desk-notice').getByTestId('privacy-notice')
    await notice.waitFor()
    const version = (await notice.getAttribute('data-version')) ?? ''
    assert.match((await staff.getByTestId('desk-shown').textContent()) ?? '', new RegExp(`版本 ${version}`))
    await shot(staff, '620-desk-notice')
    await staff.locator('.van-popup:visible .van-popup__close-icon').tap()
    await staff.getByTestId('desk-shown').tap()
    await shot(staff, '621-desk-filled')
    await staff.getByTestId('desk-submit').tap()

    const result = staff.getByTestId('desk-result')
    await result.waitFor()
    assert.equal(await result.getAttribute('data-already'), 'false')
    assert.equal(await result.getAttribute('data-login'), 'false')
    assert.match((await result.textContent()) ?? '', /登记成功/)
    assert.match((await staff.getByTestId('desk-login').textContent()) ?? '', /已短信告知/)
    await checkLayout(staff, 'desk result')
    await shot(staff, '622-desk-registered')
    // The resident was texted how to get in.
    assert.match(smsTexts(api, PHONE).join('\n'), /王阿婆，您已在洞头区慈善总会登记/)

    // The same phone again: already registered, nothing changed.
    await staff.getByTestId('desk-next').tap()
    await staff.locator('input[name="phone"]').fill(PHONE)
    await staff.locator('input[name="name"]').fill('王阿婆')
    await staff.getByTestId('desk-shown').tap()
    await staff.getByTestId('desk-submit').tap()
    await staff.locator('[data-testid="desk-result"][data-already="true"][data-login="false"]').waitFor()

    // A resident with a login of their own.
    await staff.getByTestId('desk-next').tap()
    await staff.locator('input[name="phone"]').fill(PHONES.resident)
    await staff.locator('input[name="name"]').fill('陈晓明')
    await staff.getByTestId('desk-shown').tap()
    await staff.getByTestId('desk-submit').tap()
    await staff.locator('[data-testid="desk-result"][data-already="true"][data-login="true"]').waitFor()
    assert.match((await staff.getByTestId('desk-login').textContent()) ?? '', /可直接登录/)
    await shot(staff, '623-desk-has-login')

    // The desk's record is the resident's once they register in the app with that phone.
    await gql(api.url, 'mutation($p: String!) { requestPhoneCode(phone: $p, purpose: REGISTER) { sentTo } }', { p: PHONE })
    const code = await smsCode(api, PHONE)
    const { privacyPolicy } = await gql(api.url, '{ privacyPolicy { version } }')
    const { registerResident } = await gql(
      api.url,
      'mutation($input: RegisterResidentInput!) { registerResident(input: $input) { accessToken } }',
      { input: { phone: PHONE, code, password: 'Damen#2027', name: '王秀英', agreedPolicyVersion: privacyPolicy.version } },
    )
    const { me } = await gql(api.url, '{ me { resident { name registeredAtDesk town { name } } } }', {}, registerResident.accessToken)
    assert.deepEqual(me.resident, { name: '王秀英', registeredAtDesk: true, town: { name: '大门镇' } })
  })

  test('staff create and edit their organisation\'s projects and campaigns', async () => {
    const NAME = `端到端：海岛助学 ${Date.now().toString(36)}`
    await staff.goto('/me')
    await staff.getByTestId('work-staff-projects').tap()
    await staff.waitForURL(/\/staff\/projects$/)
    await staff.getByTestId('managed-project').first().waitFor()
    await checkLayout(staff, 'projects')
    await shot(staff, '630-staff-projects')

    await staff.getByTestId('project-new').tap()
    const form = staff.getByTestId('project-form')
    await form.waitFor()
    await form.locator('input[name="name"]').fill(NAME)
    await form.locator('textarea[name="description"]').fill('资助海岛困难家庭学生的学费和生活费。')
    await form.locator('input[name="goal"]').fill('50000')
    await pickDay(staff, 'startsOn')
    await pickDay(staff, 'endsOn')
    await checkLayout(staff, 'project form')
    await shot(staff, '631-project-form')
    await form.getByTestId('project-save').tap()
    await staff.locator('.van-toast', { hasText: '已创建' }).waitFor()
    const row = staff.getByTestId('managed-project').filter({ hasText: NAME })
    await row.waitFor()
    assert.equal(await row.getAttribute('data-status'), 'ACTIVE')
    assert.match((await row.textContent()) ?? '', /目标 ¥50,000\.00/)

    // A new active project takes donations at once: the donation form offers it.
    await staff.goto('/staff/donate')
    await staff.getByTestId('pick-project').tap()
    await staff.locator('.van-popup:visible .van-picker-column__item', { hasText: NAME }).waitFor()
    await staff.locator('.van-popup:visible .van-picker__cancel').tap()

    // Edited: a higher goal, and closed.
    await staff.goto('/staff/projects')
    await staff.getByTestId('managed-project').filter({ hasText: NAME }).tap()
    await form.waitFor()
    assert.equal(await form.locator('input[name="name"]').inputValue(), NAME)
    assert.equal(await form.locator('input[name="goal"]').inputValue(), '50000.00')
    await form.locator('input[name="goal"]').fill('60000')
    await form.getByTestId('status-CLOSED').tap()
    await form.getByTestId('project-save').tap()
    await staff.locator('.van-toast', { hasText: '已保存' }).waitFor()
    await staff.locator('[data-testid="managed-project"][data-status="CLOSED"]', { hasText: NAME }).filter({ hasText: '¥60,000.00' }).waitFor()
    await shot(staff, '632-project-closed')
    const staffToken = await apiToken(api.url, PHONES.staff)
    const { charityProjects } = await gql(api.url, '{ charityProjects(first: 100) { nodes { name goal startsOn endsOn status org { name } } } }', {}, staffToken)
    assert.deepEqual(
      charityProjects.nodes.find((/** @type {{ name: string }} */ p) => p.name === NAME),
      { name: NAME, goal: '60000.00', startsOn: today(), endsOn: today(), status: 'CLOSED', org: { name: '洞头区慈善总会' } },
    )
    // Closed, it is no longer offered for donations.
    await staff.goto('/staff/donate')
    await staff.getByTestId('pick-project').tap()
    await staff.locator('.van-popup:visible .van-picker-column__item').first().waitFor()
    assert.equal(await staff.locator('.van-popup:visible .van-picker-column__item', { hasText: NAME }).count(), 0)
    await staff.locator('.van-popup:visible .van-picker__cancel').tap()

    // A campaign: a code already taken is refused in words, a fresh one goes through.
    await staff.goto('/staff/projects')
    await staff.locator('.van-tab', { hasText: '活动募捐' }).tap()
    await staff.getByTestId('campaign-new').tap()
    const campaign = staff.getByTestId('campaign-form')
    await campaign.waitFor()
    await campaign.locator('input[name="code"]').fill('one_day_donation')
    await campaign.locator('input[name="name"]').fill('端到端：海岛渔民互助募捐')
    await pickDay(staff, 'startsOn')
    await pickDay(staff, 'endsOn')
    await campaign.locator('input[name="goal"]').fill('20000')
    await campaign.getByTestId('campaign-save').tap()
    await campaign.getByText('该代码已被其他活动募捐使用').waitFor()
    await shot(staff, '633-campaign-code-taken')
    await campaign.locator('input[name="code"]').fill('e2e_fisher_2027')
    await campaign.getByTestId('campaign-save').tap()
    await staff.locator('.van-toast', { hasText: '已创建' }).waitFor()
    const made = staff.getByTestId('managed-campaign').filter({ hasText: 'E2E_FISHER_2027' })
    await made.waitFor()
    assert.match((await made.textContent()) ?? '', /端到端：海岛渔民互助募捐.*目标 ¥20,000\.00/)
    // Staff see their own organisation's campaigns only, never the district-wide drives.
    assert.equal(await staff.getByTestId('managed-campaign').filter({ hasText: 'ONE_DAY_DONATION' }).count(), 0)
    await staff.locator('.van-toast').waitFor({ state: 'hidden' })
    await checkLayout(staff, 'campaigns')
    await shot(staff, '634-campaigns')
    await made.tap()
    await campaign.locator('input[name="name"]').fill('端到端：海岛渔民互助募捐（延长）')
    await campaign.getByTestId('status-CLOSED').tap()
    await campaign.getByTestId('campaign-save').tap()
    await staff.locator('.van-toast', { hasText: '已保存' }).waitFor()
    await staff.locator('[data-testid="managed-campaign"][data-status="CLOSED"]', { hasText: '（延长）' }).waitFor()
  })

  test('the bureau creates a project for the organisation it picks', async () => {
    const NAME = `端到端：银龄助餐 ${Date.now().toString(36)}`
    await admin.goto('/admin')
    await admin.getByTestId('work-staff-projects').tap()
    await admin.waitForURL(/\/staff\/projects$/)
    await admin.getByTestId('managed-project').first().waitFor()
    await admin.getByTestId('project-new').tap()
    const form = admin.getByTestId('project-form')
    await form.getByTestId('project-save').tap()
    await form.getByText('请选择组织').first().waitFor()
    await pick(admin, 'org', '兰小草爱心公益服务基地')
    await form.locator('input[name="name"]').fill(NAME)
    await form.getByTestId('project-save').tap()
    await admin.locator('.van-toast', { hasText: '已创建' }).waitFor()
    await admin.getByTestId('managed-project').filter({ hasText: NAME }).filter({ hasText: '兰小草爱心公益服务基地' }).waitFor()
    await admin.locator('.van-toast').waitFor({ state: 'hidden' })
    await checkLayout(admin, 'admin projects')
    await shot(admin, '635-admin-projects')
  })

  test('the bureau registers an organisation and a branch under it', async () => {
    const TOP = `端到端海岛公益联合会${Date.now().toString(36)}`
    const BRANCH = `${TOP}霓屿分会`
    await admin.goto('/admin')
    await admin.getByTestId('work-admin-orgs').tap()
    await admin.waitForURL(/\/admin\/orgs$/)
    await admin.getByTestId('org-row').filter({ hasText: '北岙街道慈善分会' }).waitFor()
    await checkLayout(admin, 'orgs')
    await shot(admin, '640-orgs')

    // A name taken is refused in words.
    await admin.getByTestId('org-new').tap()
    const form = admin.getByTestId('org-form')
    await form.locator('input[name="name"]').fill('洞头区慈善总会')
    await form.getByTestId('org-save').tap()
    await form.getByText('已有同名组织').waitFor()

    await form.locator('input[name="name"]').fill(TOP)
    await pick(admin, 'town', '霓屿街道')
    await form.getByTestId('org-recognised').tap()
    await checkLayout(admin, 'org form')
    await form.getByTestId('org-save').tap()
    await admin.locator('.van-toast', { hasText: '已创建' }).waitFor()
    await admin.locator('[data-testid="org-row"][data-branch="false"]', { hasText: TOP }).filter({ hasText: '认定慈善组织' }).waitFor()

    // A branch needs the organisation it belongs to.
    await admin.getByTestId('org-new').tap()
    await form.locator('input[name="name"]').fill(BRANCH)
    await pick(admin, 'kind', '慈善分会')
    await form.getByTestId('org-save').tap()
    await form.getByText('请选择分会所属的组织').first().waitFor()
    await pick(admin, 'parent', TOP)
    await shot(admin, '641-branch-form')
    await form.getByTestId('org-save').tap()
    await admin.locator('.van-toast', { hasText: '已创建' }).waitFor()
    // Listed under its parent.
    const rows = admin.getByTestId('org-row')
    await rows.filter({ hasText: BRANCH }).waitFor()
    const names = await rows.locator('.van-cell__title span').allTextContents()
    assert.equal(names[names.indexOf(TOP) + 1], BRANCH, 'the branch follows its parent')
    assert.equal(await rows.filter({ hasText: BRANCH }).getAttribute('data-branch'), 'true')
    await shot(admin, '642-orgs-with-branch')

    // Edited: the description is kept.
    await rows.filter({ hasText: BRANCH }).tap()
    await form.locator('textarea[name="description"]').fill('联系紫菜专业合作社开展助农帮扶。')
    await form.getByTestId('org-save').tap()
    await admin.locator('.van-toast', { hasText: '已保存' }).waitFor()
    const adminToken = await apiToken(api.url, PHONES.admin)
    const { charityOrgs } = await gql(api.url, '{ charityOrgs(first: 100) { nodes { name kind description parent { name } town { name } } } }', {}, adminToken)
    assert.deepEqual(
      charityOrgs.nodes.find((/** @type {{ name: string }} */ o) => o.name === BRANCH),
      { name: BRANCH, kind: 'BRANCH', description: '联系紫菜专业合作社开展助农帮扶。', parent: { name: TOP }, town: null },
    )
  })

  test('the bureau opens a staff login; its holder sets a password by code; disabled, they are out at once', async () => {
    const PHONE = '13712340021'
    const NAME = '红十字会新社工'
    await admin.goto('/admin')
    await admin.getByTestId('work-admin-accounts').tap()
    await admin.waitForURL(/\/admin\/accounts$/)
    await admin.getByTestId('account-row').first().waitFor()
    await checkLayout(admin, 'accounts')
    await shot(admin, '650-accounts')

    await admin.getByTestId('account-new').tap()
    const form = admin.getByTestId('account-form')
    await form.locator('input[name="phone"]').fill(PHONES.staff)
    await form.locator('input[name="displayName"]').fill(NAME)
    await pick(admin, 'org', '洞头区红十字会')
    await form.getByTestId('account-save').tap()
    await form.getByText('该手机号已有账号').waitFor()
    await form.locator('input[name="phone"]').fill(PHONE)
    await checkLayout(admin, 'account form')
    await shot(admin, '651-account-form')
    await form.getByTestId('account-save').tap()
    await admin.locator('.van-toast', { hasText: '已开通' }).waitFor()
    const row = admin.getByTestId('account-row').filter({ hasText: NAME })
    await row.waitFor()
    assert.match((await row.textContent()) ?? '', /洞头区红十字会/)
    await row.getByTestId('account-no-password').waitFor()
    assert.match(smsTexts(api, PHONE).join('\n'), /忘记密码/, 'the holder is texted how to set a password')

    // The holder sets a first password with 忘记密码, and is in.
    const holderCtx = await newPhone(browser, api.url)
    try {
      const holder = await holderCtx.newPage()
      await holder.goto('/login')
      await holder.getByTestId('login-forgot').tap()
      await holder.waitForURL(/\/forgot-password$/)
      await holder.locator('input[name="phone"]').fill(PHONE)
      await holder.getByTestId('code-send').tap()
      await holder.getByTestId('code-notice').waitFor()
      await holder.locator('input[name="code"]').fill(await smsCode(api, PHONE))
      await holder.locator('input[name="newPassword"]').fill('Hongshi#2027')
      await holder.locator('input[name="again"]').fill('Hongshi#2027')
      await holder.getByTestId('forgot-submit').tap()
      await holder.waitForURL(/\/staff\/donate$/)
      await admin.reload()
      // The list may paint from the phone's cache first; the fresh answer drops the tag.
      await admin.getByTestId('account-row').filter({ hasText: NAME }).waitFor()
      await admin.getByTestId('account-row').filter({ hasText: NAME }).getByTestId('account-no-password').waitFor({ state: 'detached' })

      // Disabled: the holder's next step finds the session over, and logging in is refused.
      await admin.getByTestId('account-row').filter({ hasText: NAME }).getByTestId('account-enabled').tap()
      await admin.locator('.van-dialog:visible .van-dialog__confirm').tap()
      await admin.locator('.van-toast', { hasText: '已停用' }).waitFor()
      await admin.locator('[data-testid="account-row"][data-disabled="true"]', { hasText: NAME }).getByTestId('account-disabled').waitFor()
      await shot(admin, '652-account-disabled')
      await holder.goto('/staff/today')
      await holder.waitForURL(/\/login\?.*expired=1/, { timeout: 15_000 })
      await holder.locator('input[name="phone"]').fill(PHONE)
      await holder.locator('input[name="password"]').fill('Hongshi#2027')
      await holder.getByTestId('login-submit').tap()
      await holder.getByText('手机号或密码不正确').waitFor()

      // Enabled again: the same password works.
      await admin.getByTestId('account-row').filter({ hasText: NAME }).getByTestId('account-enabled').tap()
      await admin.locator('.van-dialog:visible .van-dialog__confirm').tap()
      await admin.locator('.van-toast', { hasText: '已启用' }).waitFor()
      await holder.getByTestId('login-submit').tap()
      await holder.waitForURL(/\/staff\/today$/)
    } finally {
      await holderCtx.close()
    }

    // The bureau cannot switch itself off.
    await admin.locator('.van-dropdown-menu__item').first().tap()
    await admin.locator('.van-dropdown-item__option:visible', { hasText: '区民政局管理员' }).tap()
    const self = admin.getByTestId('account-row').filter({ hasText: '区民政局管理员' }).first()
    await self.waitFor()
    assert.match((await self.getByTestId('account-enabled').getAttribute('class')) ?? '', /van-switch--disabled/)
  })
})
