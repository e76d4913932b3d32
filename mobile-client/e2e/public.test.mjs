// The public, login-free pages: a visitor without an account opens each shareable address and
// sees real content from the api (the ranking opening on a period with entries, its published
// editions and their check, projects with where the money went and the public questions,
// activities, and checking a receipt or a statement by its code).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { PHONES, apiToken, gql, horizontalOverflow, launchBrowser, newPhone, shot, smallTouchTargets, startApi } from './harness.mjs'

/** @type {Awaited<ReturnType<typeof startApi>>} */
let api
/** @type {import('playwright-core').Browser} */
let browser
/** @type {import('playwright-core').BrowserContext} */
let ctx
/** @type {import('playwright-core').Page} */
let visitor

/** @param {import('playwright-core').Page} page @param {string} name */
async function checkLayout(page, name) {
  assert.equal(await horizontalOverflow(page), 0, `${name}: no horizontal scroll`)
  assert.deepEqual(await smallTouchTargets(page), [], `${name}: touch targets ≥ 44 px`)
}

/** The page's share metadata. @param {import('playwright-core').Page} page */
async function shareMeta(page) {
  return page.evaluate(() => ({
    title: document.title,
    description: document.querySelector('meta[name="description"]')?.getAttribute('content') ?? '',
  }))
}

before(async () => {
  api = await startApi()
  browser = await launchBrowser()
  ctx = await newPhone(browser, api.url)
  visitor = await ctx.newPage()
})

after(async () => {
  await browser?.close()
  await api?.stop()
})

describe('public pages, no login', () => {
  test('the binary itself serves the app: its page, deep links and precompressed, long-kept assets', async () => {
    // Under the suite's own build (no API_BIN) nothing points the api at dist/: this is the
    // app built into the release binary.
    const page = await fetch(`${api.url}/board`, { headers: { 'accept-encoding': 'br, gzip' } })
    assert.equal(page.status, 200)
    assert.equal(page.headers.get('cache-control'), 'no-cache')
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/)
    const html = await page.text()
    assert.match(html, /<div id="app">/)
    const script = html.match(/src="(\/assets\/index-[^"]+\.js)"/)?.[1]
    assert.ok(script, `the page loads its bundle: ${html.slice(0, 400)}`)
    const asset = await fetch(`${api.url}${script}`, { headers: { 'accept-encoding': 'br, gzip' } })
    assert.equal(asset.status, 200)
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable')
    assert.equal(asset.headers.get('content-encoding'), 'br')
  })

  test('the address of the app opens a public home with a way to log in, not the login screen', async () => {
    await visitor.goto('/')
    await visitor.waitForURL(/\/welcome$/)
    await visitor.getByTestId('welcome').waitFor()
    await visitor.getByTestId('activity-cell').first().waitFor()
    const tabs = await visitor.getByTestId('tabbar').textContent()
    assert.match(tabs ?? '', /慈善榜/)
    assert.match(tabs ?? '', /登录/)
    assert.equal(await visitor.evaluate(() => localStorage.getItem('dt.session')), null, 'no token')
    await checkLayout(visitor, 'welcome')
    await shot(visitor, '200-public-home')
    await visitor.getByTestId('welcome-login').tap()
    await visitor.waitForURL(/\/login/)
    // From login, the way back to the public pages and the privacy notice.
    await visitor.getByTestId('login-privacy').tap()
    await visitor.waitForURL(/\/privacy$/)
    assert.match((await visitor.getByTestId('privacy').textContent()) ?? '', /爱心人士/)
    await checkLayout(visitor, 'privacy')
    await visitor.goBack()
    await visitor.getByTestId('login-browse').tap()
    await visitor.waitForURL(/\/welcome$/)
  })

  test('the ranking opens on a period with entries, hours in 小时, with no engineering words', async () => {
    await visitor.goto('/board')
    await visitor.getByTestId('board-entry').first().waitFor({ timeout: 20_000 })
    const summary = (await visitor.getByTestId('board-summary').textContent()) ?? ''
    assert.doesNotMatch(summary, /共 0 位上榜/, `the default board is not empty: ${summary}`)
    assert.doesNotMatch(summary, /¥0\.00/)
    assert.ok((await visitor.getByTestId('board-entry').count()) > 0)
    assert.equal(await visitor.getByTestId('my-rank').count(), 0, 'no personal rank for a visitor')
    const body = (await visitor.locator('body').textContent()) ?? ''
    assert.doesNotMatch(body, /实时计算/)
    const meta = await shareMeta(visitor)
    assert.match(meta.title, /洞头慈善榜/)
    assert.match(meta.description, /慈善榜/)
    await checkLayout(visitor, 'board')
    await shot(visitor, '201-public-board')

    await visitor.locator('.van-tab', { hasText: '志愿时长' }).tap()
    await visitor.getByTestId('board-entry').first().waitFor()
    assert.match((await visitor.getByTestId('board-entry').first().textContent()) ?? '', /\d+(\.\d)? 小时/)
    assert.match((await visitor.getByTestId('board-summary').textContent()) ?? '', /小时/)
    await shot(visitor, '202-public-board-hours')
  })

  test('a published edition lists with its number, date and hash, and anyone can check it', async () => {
    const admin = await apiToken(api.url, PHONES.admin)
    const { publishRankingEdition: ed } = await gql(
      api.url,
      'mutation { publishRankingEdition(board: RESIDENTS, period: ALL_TIME) { number ledgerHash } }',
      {},
      admin,
    )
    await visitor.goto('/board')
    await visitor.getByTestId('board-editions').tap()
    await visitor.waitForURL(/\/board\/editions$/)
    const cell = visitor.getByTestId('edition-cell').filter({ hasText: `第 ${ed.number} 期` })
    await cell.waitFor()
    assert.match((await cell.textContent()) ?? '', new RegExp(ed.ledgerHash.slice(0, 16)))
    assert.match((await cell.textContent()) ?? '', /发布于 \d{4}-\d{2}-\d{2}/)
    await checkLayout(visitor, 'editions')
    await shot(visitor, '203-public-editions')
    await cell.tap()
    await visitor.waitForURL(new RegExp(`/board/editions/${ed.number}$`))
    assert.equal((await visitor.getByTestId('edition-hash').textContent())?.trim(), ed.ledgerHash)
    assert.ok((await visitor.getByTestId('edition-entry').count()) > 0)
    await visitor.getByTestId('edition-verify').tap()
    await visitor.locator('[data-testid="edition-verified"][data-ok="true"]').waitFor()
    assert.match((await visitor.getByTestId('edition-verified').textContent()) ?? '', /账本哈希一致/)
    await checkLayout(visitor, 'edition')
    await shot(visitor, '204-public-edition-verified')
  })

  test('projects show where the money went and the public questions with their answers', async () => {
    const residentToken = await apiToken(api.url, PHONES.resident)
    const staffToken = await apiToken(api.url, PHONES.staff)
    const { charityProjects } = await gql(api.url, '{ charityProjects(first: 50) { nodes { id name org { id } } } }')
    const { me } = await gql(api.url, '{ me { account { org { id } } } }', {}, staffToken)
    const project = charityProjects.nodes.find((/** @type {any} */ p) => p.org.id === me.account.org.id)
    const { askSupervisionQuestion: q } = await gql(
      api.url,
      'mutation($id: ID!) { askSupervisionQuestion(subjectKind: PROJECT, subjectId: $id, question: "助餐的餐费标准是多少？") { id } }',
      { id: project.id },
      residentToken,
    )
    await gql(api.url, 'mutation($id: ID!) { answerSupervisionQuestion(id: $id, answer: "每餐 15 元，老人自付 5 元。") { id } }', { id: q.id }, staffToken)

    await visitor.goto('/projects')
    await visitor.getByTestId('project-cell').first().waitFor()
    await checkLayout(visitor, 'projects')
    await shot(visitor, '205-public-projects')
    await visitor.goto(`/projects/${project.id}`)
    await visitor.getByTestId('project-figures').waitFor()
    assert.match((await visitor.getByTestId('project-raised').textContent()) ?? '', /¥[\d,]+\.\d\d/)
    const item = visitor.getByTestId('supervision-item').filter({ hasText: '助餐的餐费标准是多少' })
    await item.waitFor()
    assert.match((await item.textContent()) ?? '', /每餐 15 元/)
    assert.match((await shareMeta(visitor)).title, new RegExp(project.name))
    await checkLayout(visitor, 'project')
    await shot(visitor, '206-public-project')
  })

  test('activities list and open for a visitor, who is asked to log in to sign up', async () => {
    await visitor.goto('/activities')
    await visitor.getByTestId('activity-cell').first().waitFor()
    await checkLayout(visitor, 'activities')
    await shot(visitor, '207-public-activities')
    const open = visitor.locator('[data-testid="activity-cell"]', { hasText: '名额' }).first()
    const title = (await open.locator('.title').textContent())?.trim() ?? ''
    await open.tap()
    await visitor.getByTestId('activity-detail').waitFor()
    assert.match((await visitor.getByTestId('activity-detail').textContent()) ?? '', new RegExp(title))
    assert.match((await shareMeta(visitor)).title, new RegExp(title))
    await visitor.getByTestId('activity-login-to-sign-up').waitFor()
    await checkLayout(visitor, 'activity')
    await shot(visitor, '208-public-activity')
  })

  test('a receipt and a statement are checked by the code a QR code points at', async () => {
    const token = await apiToken(api.url, PHONES.resident)
    const { myCredits } = await gql(
      api.url,
      '{ myCredits { donations(first: 1, status: CONFIRMED) { nodes { receiptNo verificationCode } } yearlyStatement(year: 2026) { verificationCode } } }',
      {},
      token,
    )
    const receipt = myCredits.donations.nodes[0]
    await visitor.goto(`/verify/receipt/${receipt.verificationCode}`)
    await visitor.locator('[data-testid="verify-result"][data-ok="true"]').waitFor()
    assert.match((await visitor.locator('body').textContent()) ?? '', new RegExp(receipt.receiptNo))
    assert.match((await visitor.locator('body').textContent()) ?? '', /收据真实有效/)
    await checkLayout(visitor, 'verify-receipt')
    await shot(visitor, '209-public-verify-receipt')

    await visitor.goto(`/verify/statement/${myCredits.yearlyStatement.verificationCode}`)
    await visitor.locator('[data-testid="verify-result"][data-ok="true"]').waitFor()
    assert.match((await visitor.locator('body').textContent()) ?? '', /证明真实有效/)
    await shot(visitor, '210-public-verify-statement')

    // The certificate of volunteer hours carries its own code and address.
    const { myVolunteerCertificate: cert } = await gql(api.url, '{ myVolunteerCertificate { reference verifyUrl totalHours } }', {}, token)
    assert.match(cert.verifyUrl, new RegExp(`/verify/certificate/${cert.reference}$`))
    await visitor.goto(`/verify/certificate/${cert.reference}`)
    await visitor.locator('[data-testid="verify-result"][data-ok="true"]').waitFor()
    const certText = (await visitor.locator('body').textContent()) ?? ''
    assert.match(certText, /证明真实有效/)
    assert.match(certText, new RegExp(`${cert.totalHours} 小时`))
    assert.match(certText, /陈\*明/, 'the name is masked for a stranger')
    await checkLayout(visitor, 'verify-certificate')
    await shot(visitor, '210b-public-verify-certificate')

    // Typed in by hand, and a code that was never issued.
    await visitor.goto('/verify')
    await visitor.getByTestId('verify-code').locator('input').fill('NOSUCHCODE00')
    await visitor.getByTestId('verify-submit').tap()
    await visitor.waitForURL(/\/verify\/receipt\/NOSUCHCODE00$/)
    await visitor.locator('[data-testid="verify-result"][data-ok="false"]').waitFor()
    assert.match((await visitor.getByTestId('verify-result').textContent()) ?? '', /未找到/)
    await checkLayout(visitor, 'verify')
    await shot(visitor, '211-public-verify-unknown')
  })

  test('every public page fits a 320 × 640 phone', async () => {
    await visitor.setViewportSize({ width: 320, height: 640 })
    try {
      for (const path of ['/welcome', '/board', '/board/editions', '/activities', '/projects', '/verify', '/verify/receipt/NOSUCHCODE00', '/privacy', '/login']) {
        await visitor.goto(path)
        await visitor.locator('.van-nav-bar__title, [data-testid="login-submit"]').first().waitFor()
        await visitor.waitForLoadState('networkidle')
        assert.equal(await horizontalOverflow(visitor), 0, `${path} at 320 px`)
        if (path === '/board') await shot(visitor, '212-public-board-320')
      }
    } finally {
      await visitor.setViewportSize({ width: 390, height: 844 })
    }
  })

  test('the service worker answers app pages, never the api\'s own addresses', async () => {
    await visitor.goto('/welcome')
    await visitor.getByTestId('welcome').waitFor()
    await visitor.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 30_000 })
    const app = await visitor.goto('/board')
    assert.equal(app?.fromServiceWorker(), true, 'an app page comes from the service worker (works offline)')
    for (const path of ['/feed/rankings.xml', '/exports/donations.csv', '/graphql', '/healthz', '/readyz', '/metrics']) {
      const res = await visitor.goto(path)
      assert.equal(res?.fromServiceWorker(), false, `${path} goes to the server, not the app shell`)
    }
  })
})
