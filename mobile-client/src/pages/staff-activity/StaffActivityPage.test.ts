// The staff's attendance page against a fake API behind the real graphcache setup (relay
// pagination merges the pages as in the app): certifying covers every checked-in participant,
// so the count and the sheet must too, however many pages of them there are.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent, h, type App } from 'vue'
import { createPinia } from 'pinia'
import { createMemoryHistory, createRouter, RouterView } from 'vue-router'
import { provideClient } from '@urql/vue'
import { i18n } from '@/locales'
import { client, resetClient } from '@/graphql/client'
import StaffActivityPage from './StaffActivityPage.vue'

interface Request {
  operationName: string
  variables: Record<string, unknown>
}

const api = vi.hoisted(() => ({
  participants: 0,
  /** Pages after the first answer UNAVAILABLE. */
  laterPagesFail: false,
  requests: [] as Request[],
}))

vi.mock('@/graphql/client', async () => {
  const { fakeClientModule, json } = await import('@/graphql/fake-client')

  const DAY = 86_400_000
  const startsAt = new Date(Date.now() - 2 * DAY).toISOString()
  const endsAt = new Date(Date.now() - 2 * DAY + 2 * 3_600_000).toISOString()
  const participant = (i: number) => ({
    __typename: 'Participant',
    signupId: `signup-${i}`,
    name: `志愿者${i}`,
    phoneMasked: '138****0000',
    status: 'SIGNED_UP',
    checkedInAt: startsAt,
    checkedOutAt: endsAt,
    attendedMinutes: 120,
    defaultMinutes: 120,
    certification: null,
  })
  async function fakeFetch(_url: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const body = JSON.parse(String(init?.body)) as Request
    api.requests.push(body)
    if (body.operationName !== 'StaffActivity') {
      return json({ data: null, errors: [{ message: 'not in this test', extensions: { code: 'INTERNAL' } }] })
    }
    const first = Number(body.variables.first ?? 20)
    const after = body.variables.after as string | null
    const from = after ? Number(after.replace('cursor-', '')) : 0
    if (from > 0 && api.laterPagesFail) {
      return json({ data: null, errors: [{ message: 'try again', path: ['activity'], extensions: { code: 'UNAVAILABLE' } }] })
    }
    const to = Math.min(from + first, api.participants)
    const nodes = Array.from({ length: to - from }, (_, k) => participant(from + k + 1))
    return json({
      data: {
        activity: {
          __typename: 'Activity',
          id: String(body.variables.id),
          title: '海岛净滩',
          place: '东沙渔港',
          startsAt,
          endsAt,
          lengthMinutes: 120,
          status: 'PUBLISHED',
          capacity: 60,
          signedUp: api.participants,
          town: { __typename: 'Town', id: 'town-1', name: '东屏街道' },
          participants: {
            __typename: 'ParticipantConnection',
            nodes,
            pageInfo: { __typename: 'PageInfo', hasNextPage: to < api.participants, endCursor: `cursor-${to}` },
          },
        },
      },
    })
  }

  return fakeClientModule(fakeFetch)
})

let app: App | undefined

/** The button counts `n` people to certify; tapping it opens the sheet listing those `n`. */
async function openSheetCounting(n: number) {
  await vi.waitFor(() => expect(certifyButton()?.textContent).toContain(`批量认证 ${n} 人的时长`))
  certifyButton()!.click()
  await vi.waitFor(() => expect(document.querySelectorAll('[data-testid="certify-person"]')).toHaveLength(n))
}

async function openPage() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: { render: () => null } },
      { path: '/staff/activities/:id', component: StaffActivityPage },
    ],
  })
  await router.push('/staff/activities/act-1')
  const root = defineComponent({
    setup() {
      provideClient(client)
      return () => h(RouterView)
    },
  })
  const el = document.createElement('div')
  document.body.appendChild(el)
  app = createApp(root).use(createPinia()).use(i18n).use(router)
  await router.isReady()
  app.mount(el)
  return el
}

const certifyButton = () => document.querySelector<HTMLButtonElement>('[data-testid="certify-all"]')

describe('certifying everyone at an activity', () => {
  beforeEach(async () => {
    // happy-dom lays nothing out, so van-list would think its end is in view and load the next
    // page at once; on a phone the first 20 fill the screen and the rest wait for a scroll.
    const rect = Element.prototype.getBoundingClientRect
    vi.spyOn(Element.prototype, 'getBoundingClientRect').mockImplementation(function (this: Element) {
      return this.classList.contains('van-list__placeholder') ? new DOMRect(0, 5000, 375, 0) : rect.call(this)
    })
    await resetClient()
    api.requests.length = 0
    api.laterPagesFail = false
  })
  afterEach(() => {
    vi.restoreAllMocks()
    app?.unmount()
    app = undefined
    document.body.innerHTML = ''
  })

  it('counts, lists and reviews every participant, also those past the first page', async () => {
    api.participants = 25
    await openPage()

    // The API certifies all 25: the button says so, not just the 20 of the first page.
    await openSheetCounting(25)
    const names = [...document.querySelectorAll('[data-testid="certify-person"] .name')].map((n) => n.textContent)
    expect(names).toContain('志愿者25')
    expect(document.querySelector('[data-testid="certify-submit"]')?.textContent).toContain('批量认证 25 人的时长')
    const pages = api.requests.filter((r) => r.operationName === 'StaffActivity').map((r) => r.variables.after ?? null)
    expect(pages).toContain('cursor-20')
  })

  it('does not open the sheet on part of the list when a page fails, and says why', async () => {
    api.participants = 25
    api.laterPagesFail = true
    await openPage()

    // No count it cannot vouch for, and no sheet: a toast with the API's reason instead.
    await vi.waitFor(() => expect(certifyButton()?.textContent).toContain('批量认证时长'))
    await vi.waitFor(() => expect(certifyButton()?.classList.contains('van-button--loading')).toBe(false))
    expect(certifyButton()?.textContent).not.toContain('20')
    certifyButton()!.click()

    await vi.waitFor(() => expect(document.body.textContent).toContain('服务暂时不可用，请稍后重试'))
    expect(document.querySelectorAll('[data-testid="certify-person"]')).toHaveLength(0)
    // The click asked for the missing page again; the first page stays on screen meanwhile.
    expect(api.requests.filter((r) => r.variables.after === 'cursor-20').length).toBeGreaterThanOrEqual(2)
    expect(document.querySelectorAll('[data-testid="participant"]')).toHaveLength(20)
    expect(certifyButton()?.classList.contains('van-button--loading')).toBe(false)
  })

  it('needs one page when everyone fits on it', async () => {
    api.participants = 3
    await openPage()

    await openSheetCounting(3)
    expect(api.requests.filter((r) => r.operationName === 'StaffActivity')).toHaveLength(1)
  })
})
