// The partner's counter against a fake API behind the real graphcache setup: a voucher that can
// no longer be honoured (used, expired, or past its time though the API still says ISSUED) is
// shown with the honour button disabled, saying which, and nothing is sent.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent, h, type App } from 'vue'
import { createPinia } from 'pinia'
import { provideClient } from '@urql/vue'
import { i18n } from '@/locales'
import { client, resetClient } from '@/graphql/client'
import PartnerHonourPage from './PartnerHonourPage.vue'

const api = vi.hoisted(() => ({
  voucher: { status: 'ISSUED', expiresAt: '', honouredAt: null as string | null },
  operations: [] as string[],
}))

vi.mock('@/graphql/client', async () => {
  const { fakeClientModule, json } = await import('@/graphql/fake-client')
  async function fakeFetch(_url: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const body = JSON.parse(String(init?.body)) as { operationName: string; variables: { code: string } }
    api.operations.push(body.operationName)
    if (body.operationName !== 'VoucherLookup') {
      return json({ data: null, errors: [{ message: 'not in this test', extensions: { code: 'INTERNAL' } }] })
    }
    return json({
      data: {
        voucher: {
          __typename: 'VoucherLookup',
          code: body.variables.code,
          residentNameMasked: '陈*明',
          issuedAt: new Date(Date.now() - 3_600_000).toISOString(),
          ...api.voucher,
          perk: {
            __typename: 'Perk',
            id: 'perk-1',
            title: '存款利率上浮',
            description: '一年期定期存款利率上浮 10 个基点。',
            partner: { __typename: 'PerkPartner', id: 'partner-1', name: '洞头农商银行' },
          },
        },
      },
    })
  }
  return fakeClientModule(fakeFetch)
})

let app: App | undefined

async function lookUp(code: string) {
  const el = document.createElement('div')
  document.body.appendChild(el)
  const root = defineComponent({
    setup() {
      provideClient(client)
      return () => h(PartnerHonourPage)
    },
  })
  app = createApp(root).use(createPinia()).use(i18n)
  app.mount(el)
  const input = el.querySelector<HTMLInputElement>('[data-testid="voucher-code"] input')!
  input.value = code
  input.dispatchEvent(new Event('input'))
  await vi.waitFor(() => expect(el.querySelector('[data-testid="voucher-lookup"]')?.hasAttribute('disabled')).toBe(false))
  el.querySelector('form')!.dispatchEvent(new Event('submit'))
  await vi.waitFor(() => expect(el.querySelector('[data-testid="voucher-found"]')).not.toBeNull())
  return el.querySelector<HTMLButtonElement>('[data-testid="voucher-honour"]')!
}

const later = () => new Date(Date.now() + 600_000).toISOString()
const earlier = () => new Date(Date.now() - 60_000).toISOString()

describe('honouring a voucher at the counter', () => {
  beforeEach(async () => {
    await resetClient()
    api.operations.length = 0
  })
  afterEach(() => {
    app?.unmount()
    app = undefined
    document.body.innerHTML = ''
  })

  it('offers the honour for a voucher still valid', async () => {
    api.voucher = { status: 'ISSUED', expiresAt: later(), honouredAt: null }
    const button = await lookUp('K7M9PQRS2345')
    expect(button.disabled).toBe(false)
    expect(button.dataset.blocked).toBe('')
    expect(button.textContent).toContain('确认核销')
  })

  it('refuses a used voucher and says it was used', async () => {
    api.voucher = { status: 'HONOURED', expiresAt: later(), honouredAt: earlier() }
    const button = await lookUp('K7M9PQRS2345')
    expect(button.disabled).toBe(true)
    expect(button.dataset.blocked).toBe('HONOURED')
    expect(button.textContent).toContain('已核销，不能再次核销')
  })

  it('refuses an expired voucher and says it expired, also when its time ran out since it was read', async () => {
    for (const voucher of [
      { status: 'EXPIRED', expiresAt: earlier(), honouredAt: null },
      { status: 'ISSUED', expiresAt: earlier(), honouredAt: null },
    ]) {
      api.voucher = voucher
      const button = await lookUp('K7M9PQRS2345')
      expect(button.disabled).toBe(true)
      expect(button.dataset.blocked).toBe('EXPIRED')
      expect(button.textContent).toContain('已过期，不能核销')
      expect(document.querySelector('[data-testid="voucher-status"]')?.textContent).toContain('已失效')
      button.click()
      expect(api.operations).not.toContain('HonourVoucher')
      app?.unmount()
      app = undefined
      document.body.innerHTML = ''
      await resetClient()
    }
  })
})
