// For tests against a fake API: what '@/graphql/client' exports, with the app's real graphcache
// setup in front of the test's `fetch` (no persisted cache, no auth). Used from a vi.mock factory:
//   vi.mock('@/graphql/client', async () => (await import('@/graphql/fake-client')).fakeClientModule(fakeFetch))
import { shallowRef } from 'vue'
import { Client, fetchExchange } from '@urql/core'
import { cacheExchange } from '@urql/exchange-graphcache'
import { cacheConfig } from './cache'

export function fakeClientModule(fetch: (url: RequestInfo | URL, init?: RequestInit) => Promise<Response>) {
  const createClient = () =>
    new Client({
      url: '/graphql',
      exchanges: [cacheExchange(cacheConfig), fetchExchange],
      requestPolicy: 'cache-and-network',
      preferGetMethod: false,
      fetch,
    })
  const client = shallowRef(createClient())
  return {
    GRAPHQL_URL: '/graphql',
    client,
    // An empty cache for each test.
    resetClient: async () => {
      client.value = createClient()
    },
  }
}

/** An answer as the API sends it. */
export const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } })
