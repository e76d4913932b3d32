// 公众监督 on a project page against a fake API behind the real graphcache setup: an answer
// given after the deadline says so, one given in time does not, and an open question past its
// deadline is marked overdue.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent, h, nextTick, type App } from 'vue'
import { provideClient } from '@urql/vue'
import { i18n } from '@/locales'
import { client } from '@/graphql/client'
import SupervisionList from './SupervisionList.vue'

vi.mock('@/graphql/client', async () => {
  const { fakeClientModule, json } = await import('@/graphql/fake-client')
  const item = (id: string, fields: Record<string, unknown>) => ({
    __typename: 'SupervisionItem',
    id,
    question: `问题 ${id}`,
    answer: null,
    status: 'OPEN',
    overdue: false,
    askedAt: '2026-03-01T02:00:00Z',
    answeredAt: null,
    answeredLate: false,
    responseDueAt: '2026-03-16T02:00:00Z',
    ...fields,
  })
  return fakeClientModule(async () =>
    json({
      data: {
        supervisionItems: {
          __typename: 'SupervisionItemConnection',
          nodes: [
            item('late', { answer: '已公示', status: 'ANSWERED', answeredAt: '2026-03-20T02:00:00Z', answeredLate: true }),
            item('in-time', { answer: '按标准救助', status: 'ANSWERED', answeredAt: '2026-03-05T02:00:00Z' }),
            item('open', { overdue: true }),
          ],
          pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null },
        },
      },
    }),
  )
})

let app: App | undefined
afterEach(() => {
  app?.unmount()
  document.body.innerHTML = ''
})

async function render() {
  const el = document.createElement('div')
  document.body.appendChild(el)
  app = createApp(
    defineComponent({
      setup() {
        provideClient(client)
        return () => h(SupervisionList, { projectId: 'p-1' })
      },
    }),
  ).use(i18n)
  app.mount(el)
  await vi.waitFor(() => expect(document.querySelectorAll('[data-testid="supervision-item"]').length).toBe(3))
  await nextTick()
  return [...document.querySelectorAll<HTMLElement>('[data-testid="supervision-item"]')].map((e) => e.textContent ?? '')
}

describe('public questions on a project', () => {
  it('say when an answer came after its deadline, and only then', async () => {
    i18n.global.locale.value = 'zh-CN'
    const [late, inTime, open] = await render()
    expect(late).toContain('已超过答复期限')
    expect(inTime).not.toContain('已超过答复期限')
    expect(inTime).toContain('答复')
    expect(open).toContain('仍未答复')
  })
})
