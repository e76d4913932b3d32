// Infinite scroll over a Relay connection. graphcache's relayPagination merges the pages, so
// advancing `after` grows one list; van-list drives `loadMore` as the person scrolls, and
// `loadAll` fetches every remaining page when a screen needs the whole list (e.g. before acting
// on all of it). A list the cache cannot merge keeps its later pages here instead.
import { computed, nextTick, ref, shallowRef, watch, type Ref } from 'vue'
import { useQuery } from '@urql/vue'
import { CombinedError, type AnyVariables, type TypedDocumentNode } from '@urql/core'
import { client } from '@/graphql/client'
import { useNetworkStore } from '@/stores/network'

export interface ConnectionLike<N> {
  nodes: readonly N[]
  pageInfo: { hasNextPage: boolean; endCursor?: string | null }
}

/** What a paged list shows and drives (PagedList.vue): part of what usePagedQuery returns. */
export interface PagedQuery<N> {
  data: Readonly<Ref<unknown>>
  error: Readonly<Ref<CombinedError | undefined>>
  fetching: Readonly<Ref<boolean>>
  nodes: Readonly<Ref<readonly N[]>>
  finished: Readonly<Ref<boolean>>
  listLoading: Ref<boolean>
  listError: Ref<boolean>
  loadMore: () => void
  refresh: () => unknown
}

export interface PagedQueryOptions<D, V extends AnyVariables, N> {
  query: TypedDocumentNode<D, V>
  /** The variables apart from `first` and `after`. */
  variables?: () => Omit<V, 'first' | 'after'>
  connection: (data: D) => ConnectionLike<N> | null | undefined
  pageSize?: number
  pause?: () => boolean
  /**
   * Whether graphcache merges the pages (a relayPagination resolver for the field; the
   * default). False for a list whose rows have no id to merge by (the 慈善榜): its later pages
   * are then asked of the API here, kept in memory, and dropped whenever the first page
   * changes, so a fresh first page never runs on into pages of an older answer.
   */
  cacheMergesPages?: boolean
}

export function usePagedQuery<D, V extends AnyVariables, N>(options: PagedQueryOptions<D, V, N>) {
  const network = useNetworkStore()
  const pageSize = options.pageSize ?? 20
  const cacheMergesPages = options.cacheMergesPages ?? true
  /** The page the query asks for; stays null when the pages are not merged by the cache. */
  const after = ref<string | null>(null)
  const result = useQuery<D, V>({
    query: options.query,
    variables: () => ({ ...(options.variables?.() ?? {}), first: pageSize, after: after.value }) as unknown as V,
    pause: () => options.pause?.() ?? false,
  } as never)

  // A later page that fails comes back without data (graphcache passes the error through):
  // the pages already loaded stay on screen, with van-list's "tap to retry", rather than the
  // whole screen turning into an error.
  const data = computed<D | undefined>((kept) => {
    const latest = result.data.value as D | undefined
    return latest || !result.error.value || after.value === null ? latest : kept
  })
  /** Pages after the first, when the cache does not merge them. */
  const later = shallowRef<ConnectionLike<N> | null>(null)
  const connection = computed(() => {
    const first = data.value ? options.connection(data.value) : null
    if (!first || !later.value) return first
    return { nodes: [...first.nodes, ...later.value.nodes], pageInfo: later.value.pageInfo }
  })
  const nodes = computed<readonly N[]>(() => connection.value?.nodes ?? [])
  /** Bound to van-list's v-model:loading. */
  const listLoading = ref(false)
  /** Bound to van-list's v-model:error. */
  const listError = ref(false)
  /** Whether `loadAll` is fetching pages. */
  const loadingAll = ref(false)
  const finished = computed(() => {
    if (!connection.value) return result.error.value !== undefined && !data.value
    return !connection.value.pageInfo.hasNextPage
  })
  const initialLoading = computed(() => result.fetching.value && !data.value)

  /** Counts the first pages seen: a later page asked for before the latest one is dropped. */
  let firstPages = 0
  if (cacheMergesPages) {
    // The query fetches every page: its answer settles van-list's flags.
    watch(
      () => result.fetching.value,
      (fetching) => {
        if (!fetching) {
          listLoading.value = false
          listError.value = result.error.value !== undefined && data.value !== undefined && network.online
        }
      },
    )
  } else {
    // The query fetches the first page only: a new one starts the list afresh.
    watch(
      () => (options.pause?.() ? undefined : result.data.value),
      () => {
        firstPages += 1
        later.value = null
        listLoading.value = false
        listError.value = false
      },
    )
  }

  /**
   * Ask the API for the page after those shown and add it to them (the cache does not merge
   * pages). Resolves with the error that stopped it, or null, also when the first page changed
   * meanwhile, which drops the answer.
   */
  async function fetchLaterPage(cursor: string): Promise<CombinedError | null> {
    const mine = firstPages
    const variables = { ...(options.variables?.() ?? {}), first: pageSize, after: cursor } as unknown as V
    const res = await client.value.query(options.query, variables, { requestPolicy: 'network-only' }).toPromise()
    if (mine !== firstPages) return null
    const page = res.data ? options.connection(res.data) : null
    if (res.error || !page) return res.error ?? new CombinedError({ networkError: new Error('the next page did not arrive') })
    later.value = { nodes: [...(later.value?.nodes ?? []), ...page.nodes], pageInfo: page.pageInfo }
    return null
  }

  /** loadMore when the cache does not merge pages. */
  function loadLaterPage() {
    const conn = connection.value
    const cursor = conn?.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null
    if (!cursor || !network.online) {
      listLoading.value = false
      return
    }
    const mine = firstPages
    void fetchLaterPage(cursor).then((failed) => {
      // A new first page has set the list's flags afresh.
      if (mine !== firstPages) return
      listLoading.value = false
      if (failed) listError.value = true
    })
  }

  function loadMore() {
    // loadAll is advancing the pages itself; it hands van-list back its loading flag when done.
    if (loadingAll.value) return
    if (!cacheMergesPages) return loadLaterPage()
    const conn = connection.value
    if (!conn || !network.online || result.fetching.value) {
      listLoading.value = result.fetching.value
      return
    }
    if (conn.pageInfo.hasNextPage && conn.pageInfo.endCursor) {
      // The same cursor again: that page failed, and van-list's "tap to retry" asks for it anew.
      if (after.value === conn.pageInfo.endCursor) result.executeQuery({ requestPolicy: 'network-only' })
      else after.value = conn.pageInfo.endCursor
    } else {
      listLoading.value = false
    }
  }

  /** The query's answer is final: nothing in flight, and not a cached copy still being refetched. */
  async function settled(): Promise<void> {
    // A changed `after` reaches the query in Vue's next flush.
    await nextTick()
    const done = () => !result.fetching.value && !result.stale.value
    if (done()) return
    await new Promise<void>((resolve) => {
      const stop = watch(done, (isDone) => {
        if (!isDone) return
        stop()
        resolve()
      })
    })
  }

  let allPages: Promise<CombinedError | null> | null = null

  async function fetchRemainingPages(): Promise<CombinedError | null> {
    await settled()
    for (;;) {
      const conn = connection.value
      if (!conn) return result.error.value ?? null // failed outright, or paused: nothing to page through
      const cursor = conn.pageInfo.endCursor
      if (!conn.pageInfo.hasNextPage || !cursor) return null
      if (!network.online) return new CombinedError({ networkError: new Error('offline') })
      if (!cacheMergesPages) {
        const failed = await fetchLaterPage(cursor)
        if (failed) return failed
        continue
      }
      if (after.value !== cursor) {
        after.value = cursor
        await settled()
        if (result.error.value) return result.error.value
        continue
      }
      // That page was asked for already (an earlier loadMore, or just now) and did not extend
      // the list: ask the API once more, then give up rather than loop.
      result.executeQuery({ requestPolicy: 'network-only' })
      await settled()
      if (result.error.value) return result.error.value
      const again = connection.value?.pageInfo
      if (again?.hasNextPage && again.endCursor === cursor) {
        return new CombinedError({ networkError: new Error('the next page did not arrive') })
      }
    }
  }

  /**
   * Fetch every page not loaded yet. Resolves with null once `finished` (no next page), or with
   * the error that stopped it (the pages loaded so far stay). Calls while one runs share it.
   */
  function loadAll(): Promise<CombinedError | null> {
    const settledNow = !result.fetching.value && !result.stale.value
    if (!allPages && settledNow && connection.value && !connection.value.pageInfo.hasNextPage) return Promise.resolve(null)
    allPages ??= (async () => {
      loadingAll.value = true
      try {
        return await fetchRemainingPages()
      } finally {
        loadingAll.value = false
        listLoading.value = false
        allPages = null
      }
    })()
    return allPages
  }

  function refresh() {
    after.value = null
    return result.executeQuery({ requestPolicy: 'network-only' })
  }

  return {
    data,
    error: result.error,
    fetching: result.fetching,
    initialLoading,
    nodes,
    finished,
    listLoading,
    listError,
    loadMore,
    loadAll,
    loadingAll,
    refresh,
  }
}
