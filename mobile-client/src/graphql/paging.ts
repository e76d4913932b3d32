// Infinite scroll over a Relay connection. graphcache's relayPagination merges the pages, so
// advancing `after` grows one list; van-list drives `loadMore` as the person scrolls, and
// `loadAll` fetches every remaining page when a screen needs the whole list (e.g. before acting
// on all of it).
import { computed, nextTick, ref, watch, type Ref } from 'vue'
import { useQuery } from '@urql/vue'
import { CombinedError, type AnyVariables, type TypedDocumentNode } from '@urql/core'
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
}

export function usePagedQuery<D, V extends AnyVariables, N>(options: PagedQueryOptions<D, V, N>) {
  const network = useNetworkStore()
  const pageSize = options.pageSize ?? 20
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
  const connection = computed(() => (data.value ? options.connection(data.value) : null))
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

  watch(
    () => result.fetching.value,
    (fetching) => {
      if (!fetching) {
        listLoading.value = false
        listError.value = result.error.value !== undefined && data.value !== undefined && network.online
      }
    },
  )

  function loadMore() {
    // loadAll is advancing the pages itself; it hands van-list back its loading flag when done.
    if (loadingAll.value) return
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
