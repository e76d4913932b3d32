// Infinite scroll over a Relay connection. graphcache's relayPagination merges the pages, so
// advancing `after` grows one list; van-list drives `loadMore` as the person scrolls.
import { computed, ref, watch, type Ref } from 'vue'
import { useQuery } from '@urql/vue'
import type { AnyVariables, TypedDocumentNode } from '@urql/core'
import { useNetworkStore } from '@/stores/network'

export interface ConnectionLike<N> {
  nodes: readonly N[]
  pageInfo: { hasNextPage: boolean; endCursor?: string | null }
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

  const connection = computed(() => (result.data.value ? options.connection(result.data.value as D) : null))
  const nodes = computed<readonly N[]>(() => connection.value?.nodes ?? [])
  /** Bound to van-list's v-model:loading. */
  const listLoading = ref(false)
  /** Bound to van-list's v-model:error. */
  const listError = ref(false)
  const finished = computed(() => {
    if (!connection.value) return result.error.value !== undefined && !result.data.value
    return !connection.value.pageInfo.hasNextPage
  })
  const initialLoading = computed(() => result.fetching.value && !result.data.value)

  watch(
    () => result.fetching.value,
    (fetching) => {
      if (!fetching) {
        listLoading.value = false
        listError.value = result.error.value !== undefined && result.data.value !== undefined && network.online
      }
    },
  )

  function loadMore() {
    const conn = connection.value
    if (!conn || !network.online || result.fetching.value) {
      listLoading.value = result.fetching.value
      return
    }
    if (conn.pageInfo.hasNextPage && conn.pageInfo.endCursor) {
      after.value = conn.pageInfo.endCursor
    } else {
      listLoading.value = false
    }
  }

  function refresh() {
    after.value = null
    return result.executeQuery({ requestPolicy: 'network-only' })
  }

  return {
    data: result.data as Ref<D | undefined>,
    error: result.error,
    fetching: result.fetching,
    initialLoading,
    nodes,
    finished,
    listLoading,
    listError,
    loadMore,
    refresh,
  }
}
