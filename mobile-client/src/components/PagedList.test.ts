// The paged list every list screen shows, driven by a stand-in for usePagedQuery: the empty
// state instead of the list, each row through the slot, the next page asked for as the end of
// the list comes into view, and both kinds of failure with their retry (the first page's on
// the whole screen, a later page's at the foot of the rows already shown).
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp, h, nextTick, ref, type App } from 'vue'
import { CombinedError } from '@urql/core'
import { i18n } from '@/locales'
import type { PagedQuery } from '@/graphql/paging'
import PagedList from './PagedList.vue'

interface Row {
  id: string
  name: string
}

/** What usePagedQuery would return, its answer given. */
function paged(answer: { rows?: Row[]; error?: CombinedError; finished?: boolean; listError?: boolean }) {
  return {
    data: ref(answer.rows ? { rows: answer.rows } : undefined),
    error: ref(answer.error),
    fetching: ref(false),
    nodes: ref(answer.rows ?? []),
    finished: ref(answer.finished ?? false),
    listLoading: ref(false),
    listError: ref(answer.listError ?? false),
    loadMore: vi.fn(),
    refresh: vi.fn(),
  } satisfies PagedQuery<Row>
}

let app: App | undefined

async function mount(list: PagedQuery<Row>, props: { emptyText?: string; finishedText?: string } = {}) {
  const el = document.createElement('div')
  document.body.appendChild(el)
  app = createApp({
    render: () =>
      h(PagedList<Row>, { paged: list, 'data-testid': 'the-list', ...props }, {
        header: () => h('p', { 'data-testid': 'header' }, 'header'),
        default: ({ item }: { item: Row }) => h('div', { 'data-testid': 'row' }, item.name),
      }),
  }).use(i18n)
  app.mount(el)
  // van-list looks for its end once it is in the page.
  await nextTick()
  await nextTick()
  return el
}

const rows = () => [...document.querySelectorAll('[data-testid="row"]')].map((r) => r.textContent)

describe('a paged list', () => {
  afterEach(() => {
    app?.unmount()
    app = undefined
    document.body.innerHTML = ''
  })

  it('shows the empty state, without the header or the list, when there are no rows', async () => {
    const list = paged({ rows: [], finished: true })
    await mount(list, { emptyText: '还没有记录' })

    expect(document.querySelector('[data-testid="state-empty"]')?.textContent).toContain('还没有记录')
    expect(document.querySelector('[data-testid="header"]')).toBeNull()
    expect(document.querySelector('.van-list')).toBeNull()
    expect(list.loadMore).not.toHaveBeenCalled()
  })

  it('shows the header and each row in one inset group, and asks for the next page at the end', async () => {
    const list = paged({ rows: [{ id: 'a', name: '第一行' }, { id: 'b', name: '第二行' }] })
    await mount(list)

    expect(document.querySelector('[data-testid="header"]')).not.toBeNull()
    expect(rows()).toEqual(['第一行', '第二行'])
    expect(document.querySelectorAll('.van-cell-group--inset [data-testid="row"]')).toHaveLength(2)
    // The page's attributes are the list's.
    expect(document.querySelector('[data-testid="the-list"]')?.classList.contains('van-list')).toBe(true)
    // happy-dom lays nothing out: the end of the list is in view at once.
    await vi.waitFor(() => expect(list.loadMore).toHaveBeenCalledTimes(1))
    expect(list.listLoading.value).toBe(true)
    expect(document.body.textContent).toContain('加载中…')
  })

  it('says there is no more once the last page is in, and asks for none', async () => {
    const list = paged({ rows: [{ id: 'a', name: '第一行' }], finished: true })
    await mount(list, { finishedText: '只有这些' })

    expect(document.querySelector('.van-list__finished-text')?.textContent).toBe('只有这些')
    expect(list.loadMore).not.toHaveBeenCalled()
  })

  it('shows a first page that failed as an error with a retry that asks again', async () => {
    const list = paged({ error: new CombinedError({ networkError: new Error('offline') }) })
    await mount(list)

    expect(document.querySelector('[data-testid="state-error"]')).not.toBeNull()
    expect(document.querySelector('.van-list')).toBeNull()
    document.querySelector<HTMLButtonElement>('[data-testid="state-error"] .retry')!.click()
    expect(list.refresh).toHaveBeenCalledTimes(1)
  })

  it('keeps the rows when a later page failed, and a tap on the error asks for it again', async () => {
    const list = paged({ rows: [{ id: 'a', name: '第一行' }], listError: true })
    await mount(list)

    expect(rows()).toEqual(['第一行'])
    const retry = document.querySelector<HTMLElement>('.van-list__error-text')
    expect(retry?.textContent).toBe('加载失败，点击重试')
    expect(list.loadMore).not.toHaveBeenCalled()
    retry!.click()
    await vi.waitFor(() => expect(list.loadMore).toHaveBeenCalledTimes(1))
    expect(list.listError.value).toBe(false)
  })
})
