// The staff's donations of today against a fake API behind the real graphcache setup: voiding
// one asks for a reason, and a void the API refuses as a conflict (void already, or its money
// paid for disbursements the project's other donations cannot cover) is explained as such, not
// as the generic "refresh and retry" that would not help.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent, h, type App } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter, RouterView } from 'vue-router'
import { provideClient } from '@urql/vue'
import { closeToast } from 'vant'
import { i18n } from '@/locales'
import { client, resetClient } from '@/graphql/client'
import { useSessionStore } from '@/stores/session'
import type { ErrorCode } from '@/graphql/errors'
import type {
  DonationCell_DonationFragment,
  DonationStatus,
  TodayDonationsQueryVariables,
  VoidDonationMutationVariables,
} from '@/gql/graphql'
import StaffTodayPage from './StaffTodayPage.vue'

type Request =
  | { operationName: 'TodayDonations'; variables: TodayDonationsQueryVariables }
  | { operationName: 'VoidDonation'; variables: VoidDonationMutationVariables }

// Hoisted with the mock below, which uses them.
const { ORG_ID, DONATION_ID } = vi.hoisted(() => ({ ORG_ID: 'org-1', DONATION_ID: 'don-1' }))

const api = vi.hoisted(() => ({
  /** The donation as the API has it. */
  status: 'CONFIRMED' as DonationStatus,
  voidReason: null as string | null,
  /** Whether the API refuses a void as a CONFLICT. */
  refuseVoid: false,
  requests: [] as Request[],
}))

vi.mock('@/graphql/client', async () => {
  const { fakeClientModule, json: answer } = await import('@/graphql/fake-client')

  interface Body {
    data: unknown
    errors?: { message: string; path?: string[]; extensions: { code: ErrorCode } }[]
  }
  /** An object as the API sends it: its fields and its __typename (graphcache keys by it). */
  const typed = <T extends object>(__typename: string, fields: T): T & { __typename: string } => ({ __typename, ...fields })
  const json = (body: Body) => answer(body)
  const refused = (path: string, code: ErrorCode, message: string) => json({ data: null, errors: [{ message, path: [path], extensions: { code } }] })

  const donation = () =>
    typed<DonationCell_DonationFragment>('Donation', {
      id: DONATION_ID,
      receiptNo: 'DT20261122-0001',
      kind: 'MONEY',
      amount: '500.00',
      goodsDescription: null,
      goodsQuantity: null,
      donatedAt: new Date().toISOString(),
      status: api.status,
      creditsAwarded: 50,
      voidReason: api.voidReason,
      donorName: '陈晓明',
      org: typed<DonationCell_DonationFragment['org']>('CharityOrg', { id: ORG_ID, name: '洞头区慈善总会' }),
      project: typed<DonationCell_DonationFragment['project']>('CharityProject', { id: 'proj-1', name: '海岛助学' }),
    })

  async function fakeFetch(_url: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const body = JSON.parse(String(init?.body)) as Request
    api.requests.push(body)
    switch (body.operationName) {
      case 'TodayDonations':
        if (body.variables.orgId !== ORG_ID) return refused('donations', 'FORBIDDEN', 'not your organisation')
        return json({
          data: {
            donations: typed('DonationConnection', {
              nodes: [donation()],
              pageInfo: typed('PageInfo', { hasNextPage: false, endCursor: 'cursor-1' }),
            }),
          },
        })
      case 'VoidDonation': {
        if (api.refuseVoid) return refused('voidDonation', 'CONFLICT', 'the donation paid for disbursements')
        api.status = 'VOIDED'
        api.voidReason = body.variables.reason
        const { id, status, voidReason } = donation()
        return json({
          data: {
            voidDonation: typed('DonationResult', {
              replayed: false,
              donation: typed('Donation', { id, status, voidReason, voidedAt: new Date().toISOString() }),
            }),
          },
        })
      }
      default:
        return refused('unknown', 'INTERNAL', 'not in this test')
    }
  }

  return fakeClientModule(fakeFetch)
})

let app: App | undefined

/** The page as a staff member of ORG_ID sees it. */
async function openPage() {
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: { render: () => null } },
      { path: '/staff/today', component: StaffTodayPage },
    ],
  })
  await router.push('/staff/today')
  const pinia = createPinia()
  setActivePinia(pinia)
  useSessionStore(pinia).signIn({
    accessToken: 'access-1',
    accessTokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    refreshToken: 'refresh-1',
    refreshTokenExpiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    account: { id: 'staff-1', displayName: '工作人员', role: 'ORG_STAFF', org: { id: ORG_ID, name: '洞头区慈善总会' }, partner: null },
  })
  const root = defineComponent({
    setup() {
      provideClient(client)
      return () => h(RouterView)
    },
  })
  const el = document.createElement('div')
  document.body.appendChild(el)
  app = createApp(root).use(pinia).use(i18n).use(router)
  await router.isReady()
  app.mount(el)
  return el
}

const donationCell = () => document.querySelector<HTMLElement>('[data-testid="donation-cell"]')
const voidButton = () => document.querySelector<HTMLButtonElement>('[data-testid="void-open"]')

/** Tap 作废 on the donation, give a reason and confirm. */
async function voidWithReason(reason: string) {
  await vi.waitFor(() => expect(voidButton()).not.toBeNull())
  voidButton()!.click()
  await vi.waitFor(() => expect(document.querySelector('[data-testid="void-reason"] textarea')).not.toBeNull())
  const field = document.querySelector<HTMLTextAreaElement>('[data-testid="void-reason"] textarea')!
  field.value = reason
  field.dispatchEvent(new Event('input'))
  document.querySelector<HTMLButtonElement>('.van-dialog__confirm')!.click()
  await vi.waitFor(() => expect(api.requests.some((r) => r.operationName === 'VoidDonation')).toBe(true))
}

const GENERIC_CONFLICT = '操作与当前状态冲突，请刷新后再试'

describe('voiding a donation of today', () => {
  beforeEach(async () => {
    await resetClient()
    localStorage.clear()
    api.status = 'CONFIRMED'
    api.voidReason = null
    api.refuseVoid = false
    api.requests.length = 0
  })
  afterEach(() => {
    app?.unmount()
    app = undefined
    // Vant keeps its toast between calls: a fresh one for the next test, in its fresh body.
    closeToast(true)
    document.body.innerHTML = ''
    localStorage.clear()
  })

  it('a void the API refuses as a conflict says why it cannot be voided', async () => {
    api.refuseVoid = true
    await openPage()
    await vi.waitFor(() => expect(donationCell()?.textContent).toContain('海岛助学'))

    await voidWithReason('录入错误')

    // The words for this refusal, not the generic "refresh and retry".
    await vi.waitFor(() =>
      expect(document.body.textContent).toContain('无法作废：这笔捐赠已作废，或其款物已用于支出且本项目其余捐赠不足以替代'),
    )
    expect(document.body.textContent).not.toContain(GENERIC_CONFLICT)
    expect(document.body.textContent).not.toContain('已作废，积分已冲回')
    // The donation stays listed as confirmed: its credits, its void button, no 已作废 tag.
    const cell = donationCell()!
    expect(cell.textContent).toContain('+50 积分')
    expect(cell.querySelector('.van-tag')).toBeNull()
    expect(voidButton()).not.toBeNull()
    expect(api.requests).toContainEqual(
      expect.objectContaining({ operationName: 'VoidDonation', variables: expect.objectContaining({ id: DONATION_ID, reason: '录入错误' }) }),
    )
  })

  it('a void the API accepts says the credits were reversed', async () => {
    await openPage()
    await vi.waitFor(() => expect(donationCell()?.textContent).toContain('海岛助学'))

    await voidWithReason('录入错误')

    await vi.waitFor(() => expect(document.body.textContent).toContain('已作废，积分已冲回'))
    expect(document.body.textContent).not.toContain('无法作废')
    // The answer updates the cached donation: the cell shows it void, with no void button left.
    await vi.waitFor(() => expect(donationCell()?.querySelector('.van-tag')?.textContent).toContain('已作废'))
    expect(donationCell()?.textContent).toContain('作废原因：录入错误')
    expect(voidButton()).toBeNull()
  })
})
