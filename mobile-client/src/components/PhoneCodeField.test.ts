// 获取验证码 against a fake API behind the real graphcache setup: a sent code starts the wait the
// API names before another may be asked, a RATE_LIMITED answer starts the wait it names (and
// says so in words), and a phone that is not a mobile number sends nothing.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent, h, nextTick, ref, type App } from 'vue'
import { createPinia } from 'pinia'
import { provideClient } from '@urql/vue'
import { closeToast } from 'vant'
import { i18n } from '@/locales'
import { client, resetClient } from '@/graphql/client'
import type { RequestPhoneCodeMutationVariables } from '@/gql/graphql'
import PhoneCodeField from './PhoneCodeField.vue'

const api = vi.hoisted(() => ({
  /** The wait a RATE_LIMITED answer names, or null to send the code. */
  limitedFor: null as number | null,
  requests: [] as { operationName: string; variables: RequestPhoneCodeMutationVariables }[],
}))

vi.mock('@/graphql/client', async () => {
  const { fakeClientModule, json } = await import('@/graphql/fake-client')
  return fakeClientModule(async (_url, init) => {
    const body = JSON.parse(String(init?.body)) as (typeof api.requests)[number]
    api.requests.push(body)
    if (api.limitedFor !== null) {
      return json({
        data: null,
        errors: [{ message: 'too many requests', path: ['requestPhoneCode'], extensions: { code: 'RATE_LIMITED', retryAfterSecs: api.limitedFor } }],
      })
    }
    return json({ data: { requestPhoneCode: { __typename: 'PhoneCodeSent', sentTo: '137****5678', expiresInSeconds: 600, resendAfterSeconds: 60 } } })
  })
})

let app: App | undefined
const phone = ref('13712345678')

function mount() {
  const root = defineComponent({
    setup() {
      provideClient(client)
      const code = ref('')
      return () => h(PhoneCodeField, { phone: phone.value, purpose: 'REGISTER', modelValue: code.value, 'onUpdate:modelValue': (v: string) => (code.value = v) })
    },
  })
  const el = document.createElement('div')
  document.body.appendChild(el)
  app = createApp(root).use(createPinia()).use(i18n)
  app.mount(el)
}

const button = () => document.querySelector<HTMLButtonElement>('[data-testid="code-send"]')!
const notice = () => document.querySelector('[data-testid="code-notice"]')?.textContent ?? ''

/** Let promises and Vue's updates run (timers stay real, except setInterval and Date). */
async function until(check: () => boolean) {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5))
  expect(check()).toBe(true)
}

describe('asking for a texted code', () => {
  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] })
    await resetClient()
    api.limitedFor = null
    api.requests.length = 0
    phone.value = '13712345678'
  })
  afterEach(() => {
    app?.unmount()
    app = undefined
    closeToast(true)
    document.body.innerHTML = ''
    vi.useRealTimers()
  })

  it('counts down the wait the API names before another code may be asked', async () => {
    mount()
    expect(button().textContent).toContain('获取验证码')
    button().click()
    await until(() => notice().includes('验证码已发送至 137****5678，10 分钟内有效'))
    expect(api.requests).toEqual([expect.objectContaining({ operationName: 'RequestPhoneCode', variables: { phone: '13712345678', purpose: 'REGISTER' } })])
    expect(button().disabled).toBe(true)
    expect(button().textContent).toContain('60 秒后重发')

    vi.advanceTimersByTime(59_000)
    await nextTick()
    expect(button().textContent).toContain('1 秒后重发')
    expect(button().disabled).toBe(true)

    vi.advanceTimersByTime(1_000)
    await nextTick()
    expect(button().disabled).toBe(false)
    expect(button().textContent).toContain('重新获取')
  })

  it('waits as long as a RATE_LIMITED answer says, and says why', async () => {
    api.limitedFor = 3_600
    mount()
    button().click()
    await until(() => notice().includes('获取验证码太频繁，请 60 分钟后再试'))
    expect(button().disabled).toBe(true)
    expect(button().dataset.wait).toBe('3600')
    expect(button().textContent).toContain('60 分钟后重发')

    vi.advanceTimersByTime(3_500_000)
    await nextTick()
    // 100 s left: said in minutes, rounded up.
    expect(button().textContent).toContain('2 分钟后重发')
    vi.advanceTimersByTime(100_000)
    await nextTick()
    expect(button().disabled).toBe(false)
  })

  it('sends nothing for a phone that is not a mobile number', async () => {
    phone.value = '2371234567'
    mount()
    button().click()
    await until(() => document.body.textContent?.includes('请输入11位手机号') ?? false)
    expect(api.requests).toEqual([])
    expect(button().disabled).toBe(false)
  })
})
