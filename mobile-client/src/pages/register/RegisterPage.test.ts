// Registering against a fake API behind the real graphcache setup: the agreement sent is the
// version of the notice shown; when the API says the notice changed meanwhile, the page shows
// the new one and asks again (nothing is agreed on the person's behalf); registering keeps the
// session like a login and goes where the person was heading.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent, h, type App } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter, RouterView, type Router } from 'vue-router'
import { provideClient } from '@urql/vue'
import { closeToast } from 'vant'
import { i18n } from '@/locales'
import { client, resetClient } from '@/graphql/client'
import { useSessionStore } from '@/stores/session'
import type { RegisterResidentMutationVariables } from '@/gql/graphql'
import RegisterPage from './RegisterPage.vue'

const api = vi.hoisted(() => ({
  /** The notice's version as the API has it now. */
  version: '2026-12-05',
  /** What the next PrivacyPolicy answer says (the notice may change after it was shown). */
  answers: [] as string[],
  registrations: [] as RegisterResidentMutationVariables[],
}))

vi.mock('@/graphql/client', async () => {
  const { fakeClientModule, json } = await import('@/graphql/fake-client')
  return fakeClientModule(async (_url, init) => {
    const body = JSON.parse(String(init?.body)) as { operationName: string; variables: RegisterResidentMutationVariables }
    switch (body.operationName) {
      case 'PrivacyPolicy':
        api.answers.push(api.version)
        return json({ data: { privacyPolicy: { __typename: 'PrivacyPolicy', version: api.version, text: `# 个人信息保护告知\n\n版本 ${api.version} 的正文。` } } })
      case 'TownChoices':
        return json({ data: { towns: { __typename: 'TownConnection', nodes: [{ __typename: 'Town', id: 't1', code: 'DONGPING', name: '东屏街道' }] } } })
      case 'RegisterResident':
        api.registrations.push(body.variables)
        if (body.variables.input.agreedPolicyVersion !== api.version) {
          return json({
            data: null,
            errors: [{ message: 'the privacy notice changed', path: ['registerResident'], extensions: { code: 'BAD_USER_INPUT', field: 'agreedPolicyVersion' } }],
          })
        }
        return json({
          data: {
            registerResident: {
              __typename: 'AuthPayload',
              accessToken: 'access-new',
              accessTokenExpiresAt: new Date(Date.now() + 900_000).toISOString(),
              refreshToken: 'refresh-new',
              refreshTokenExpiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
              account: { __typename: 'Account', id: 'acc-new', displayName: body.variables.input.name, role: 'RESIDENT', org: null, partner: null },
            },
          },
        })
      default:
        return json({ data: null, errors: [{ message: 'not in this test', extensions: { code: 'INTERNAL' } }] })
    }
  })
})

let app: App | undefined
let router: Router

async function openPage(path: string) {
  const page = { render: () => null }
  router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/register', name: 'register', component: RegisterPage, meta: { public: true, anonymousOnly: true } },
      { path: '/login', name: 'login', component: page, meta: { public: true, anonymousOnly: true } },
      { path: '/forgot-password', name: 'forgot-password', component: page, meta: { public: true, anonymousOnly: true } },
      { path: '/home', name: 'home', component: page, meta: { roles: ['RESIDENT'] } },
      { path: '/activities/:id', name: 'activity', component: page, meta: { public: true } },
    ],
  })
  await router.push(path)
  const pinia = createPinia()
  setActivePinia(pinia)
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
}

function type(name: string, value: string) {
  const input = document.querySelector<HTMLInputElement>(`input[name="${name}"]`)!
  input.value = value
  input.dispatchEvent(new Event('input'))
}

const notice = () => document.querySelector<HTMLElement>('[data-testid="privacy-notice"]')
const submit = () => document.querySelector<HTMLButtonElement>('[data-testid="register-submit"]')!.click()

function fillForm() {
  type('phone', '13712345678')
  type('code', '123456')
  type('name', '林海燕')
  type('newPassword', 'Haidao#2027')
  type('again', 'Haidao#2027')
}

describe('registering', () => {
  beforeEach(async () => {
    await resetClient()
    localStorage.clear()
    api.version = '2026-12-05'
    api.answers.length = 0
    api.registrations.length = 0
  })
  afterEach(() => {
    app?.unmount()
    app = undefined
    closeToast(true)
    document.body.innerHTML = ''
    localStorage.clear()
  })

  it('sends nothing until the notice is agreed to, then the version shown', async () => {
    await openPage('/register?redirect=/activities/a1')
    await vi.waitFor(() => expect(notice()?.dataset.version).toBe('2026-12-05'))
    fillForm()
    submit()
    await vi.waitFor(() => expect(document.body.textContent).toContain('请先阅读并勾选同意个人信息保护告知'))
    expect(api.registrations).toEqual([])

    document.querySelector<HTMLElement>('[data-testid="register-agree"]')!.click()
    submit()
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/activities/a1'))
    expect(api.registrations).toEqual([
      { input: { phone: '13712345678', code: '123456', password: 'Haidao#2027', name: '林海燕', townCode: null, agreedPolicyVersion: '2026-12-05' } },
    ])
    // Kept like a login: a reload stays signed in.
    expect(useSessionStore().role).toBe('RESIDENT')
    expect(JSON.parse(localStorage.getItem('dt.session') ?? '{}').accessToken).toBe('access-new')
  })

  it('shows the changed notice and asks again when the API has a newer version', async () => {
    await openPage('/register')
    await vi.waitFor(() => expect(notice()?.dataset.version).toBe('2026-12-05'))
    fillForm()
    document.querySelector<HTMLElement>('[data-testid="register-agree"]')!.click()
    // The notice changes after it was shown.
    api.version = '2027-01-01'
    submit()
    await vi.waitFor(() => expect(document.body.textContent).toContain('个人信息保护告知已更新，请重新阅读并勾选同意'))
    await vi.waitFor(() => expect(notice()?.dataset.version).toBe('2027-01-01'))
    expect(notice()?.textContent).toContain('版本 2027-01-01 的正文')
    // Unticked: a second tap on 注册 sends nothing until the new notice is agreed to.
    submit()
    await new Promise((r) => setTimeout(r, 50))
    expect(api.registrations).toHaveLength(1)

    document.querySelector<HTMLElement>('[data-testid="register-agree"]')!.click()
    submit()
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('home'))
    expect(api.registrations.map((r) => r.input.agreedPolicyVersion)).toEqual(['2026-12-05', '2027-01-01'])
  })
})
