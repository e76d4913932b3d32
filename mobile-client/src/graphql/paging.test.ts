// Paging a list the cache cannot merge (the 慈善榜: its entries have no id) against a fake API
// behind the real graphcache setup: the later pages run on from the first, and a new first page
// (the board recomputed) starts the list afresh instead of running on into pages of the old one.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent, h, type App } from 'vue'
import { createPinia } from 'pinia'
import { gql, provideClient } from '@urql/vue'
import { client, resetClient } from '@/graphql/client'
import { usePagedQuery } from './paging'

const api = vi.hoisted(() => ({
  entries: 50,
  /** Which computation of the board the API answers from. */
  computation: 1,
  /** Pages after the first answer UNAVAILABLE. */
  laterPagesFail: false,
  pagesAskedFor: [] as (string | null)[],
}))

vi.mock('@/graphql/client', async () => {
  const { fakeClientModule, json } = await import('@/graphql/fake-client')

  async function fakeFetch(_url: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const { variables } = JSON.parse(String(init?.body)) as { variables: { first: number; after?: string | null } }
    const after = variables.after ?? null
    api.pagesAskedFor.push(after)
    if (after && api.laterPagesFail) {
      return json({ data: null, errors: [{ message: 'try again', path: ['leaderboard'], extensions: { code: 'UNAVAILABLE' } }] })
    }
    const from = after ? Number(after.replace('cursor-', '')) : 0
    const to = Math.min(from + variables.first, api.entries)
    const entries = Array.from({ length: to - from }, (_, k) => ({
      __typename: 'LeaderboardEntry',
      rank: from + k + 1,
      displayName: `第${api.computation}次计算的第${from + k + 1}名`,
    }))
    return json({
      data: {
        leaderboard: {
          __typename: 'Leaderboard',
          entries,
          pageInfo: { __typename: 'PageInfo', hasNextPage: to < api.entries, endCursor: `cursor-${to}` },
          computedAt: `2026-11-0${api.computation}T08:00:00Z`,
        },
      },
    })
  }

  return fakeClientModule(fakeFetch)
})

interface Entry {
  rank: number
  displayName: string
}
const BoardQuery = gql<
  { leaderboard: { entries: Entry[]; pageInfo: { hasNextPage: boolean; endCursor: string | null }; computedAt: string } },
  { first?: number | null; after?: string | null }
>`
  query Board($first: Int, $after: String) {
    leaderboard(board: RESIDENTS, period: ALL_TIME, first: $first, after: $after) {
      entries {
        rank
        displayName
      }
      pageInfo {
        hasNextPage
        endCursor
      }
      computedAt
    }
  }
`

let app: App | undefined

function openBoard() {
  let board: ReturnType<typeof useBoard> | undefined
  const useBoard = () =>
    usePagedQuery({
      query: BoardQuery,
      connection: (d) => ({ nodes: d.leaderboard.entries, pageInfo: d.leaderboard.pageInfo }),
      cacheMergesPages: false,
    })
  // The composable needs a component below the one that provides the client.
  const list = {
    setup() {
      board = useBoard()
      return () => null
    },
  }
  const root = defineComponent({
    setup() {
      provideClient(client)
      return () => h(list)
    },
  })
  app = createApp(root).use(createPinia())
  app.mount(document.createElement('div'))
  return board!
}

/** What van-list does as the end of the list comes into view. */
async function scrollToEnd(board: ReturnType<typeof openBoard>) {
  board.listLoading.value = true
  board.loadMore()
  await vi.waitFor(() => expect(board.listLoading.value).toBe(false))
}

const ranks = (board: ReturnType<typeof openBoard>) => board.nodes.value.map((e) => e.rank)
const upTo = (n: number) => Array.from({ length: n }, (_, k) => k + 1)

describe('paging a list the cache does not merge', () => {
  beforeEach(async () => {
    await resetClient()
    api.entries = 50
    api.computation = 1
    api.laterPagesFail = false
    api.pagesAskedFor.length = 0
  })
  afterEach(() => {
    app?.unmount()
    app = undefined
  })

  it('runs the later pages on from the first, each asked of the API once', async () => {
    const board = openBoard()
    await vi.waitFor(() => expect(ranks(board)).toEqual(upTo(20)))
    expect(board.finished.value).toBe(false)

    await scrollToEnd(board)
    expect(ranks(board)).toEqual(upTo(40))
    await scrollToEnd(board)
    expect(ranks(board)).toEqual(upTo(50))
    expect(board.finished.value).toBe(true)
    await scrollToEnd(board)
    expect(api.pagesAskedFor).toEqual([null, 'cursor-20', 'cursor-40'])
  })

  it('starts afresh from a new first page, without the pages of the old one', async () => {
    const board = openBoard()
    await vi.waitFor(() => expect(ranks(board)).toHaveLength(20))
    await scrollToEnd(board)
    expect(ranks(board)).toEqual(upTo(40))

    api.computation = 2
    board.refresh()
    await vi.waitFor(() => expect(board.nodes.value[0]?.displayName).toBe('第2次计算的第1名'))
    expect(ranks(board)).toEqual(upTo(20))
    expect(board.finished.value).toBe(false)
    await scrollToEnd(board)
    expect(board.nodes.value.map((e) => e.displayName)).toEqual(upTo(40).map((n) => `第2次计算的第${n}名`))
  })

  it('keeps the rows shown when a later page fails, and asks for it again on a retry', async () => {
    api.laterPagesFail = true
    const board = openBoard()
    await vi.waitFor(() => expect(ranks(board)).toHaveLength(20))

    await scrollToEnd(board)
    expect(board.listError.value).toBe(true)
    expect(ranks(board)).toEqual(upTo(20))

    api.laterPagesFail = false
    board.listError.value = false
    await scrollToEnd(board)
    expect(board.listError.value).toBe(false)
    expect(ranks(board)).toEqual(upTo(40))
    expect(api.pagesAskedFor).toEqual([null, 'cursor-20', 'cursor-20'])
  })
})
