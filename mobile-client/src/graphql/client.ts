// The one urql client: normalised, persisted cache → auth → fetch (subscriptions: WebSocket),
// each operation held until the cache has read back what the phone kept. It is rebuilt (and its
// persisted cache wiped) whenever the person logs in or out, so one account never sees
// another's cached data on a shared phone.
import { Client, fetchExchange, subscriptionExchange, type SubscriptionForwarder } from '@urql/core'
import { shallowRef } from 'vue'
import { auth } from './auth'
import { fieldNamesExchange, i18n } from '@/locales'
import { afterHydration, createCacheExchange, createStorage, type CacheStorage } from './cache'

export const GRAPHQL_URL = '/graphql'

let storage = createStorage()

/** Subscriptions go over the WebSocket (src/graphql/live.ts, fetched with the first one). */
const forwardSubscription: SubscriptionForwarder = (request) => ({
  subscribe(sink) {
    let unsubscribe = () => {}
    let closed = false
    void import('./live').then(({ liveClient }) => {
      if (!closed) unsubscribe = liveClient().subscribe({ ...request, query: request.query ?? '' }, sink)
    })
    return {
      unsubscribe() {
        closed = true
        unsubscribe()
      },
    }
  },
})

/** The read-back, or 3 s: a phone whose storage never answers still gets its answers, unkept. */
function readBackOrGiveUp(s: CacheStorage): Promise<void> {
  return Promise.race([s.hydrated, new Promise<void>((resolve) => setTimeout(resolve, 3_000))])
}

function createClient(): Client {
  return new Client({
    url: GRAPHQL_URL,
    exchanges: [fieldNamesExchange(() => i18n.global.locale.value), afterHydration(readBackOrGiveUp(storage)), createCacheExchange(storage), auth, fetchExchange, subscriptionExchange({ forwardSubscription })],
    requestPolicy: 'cache-and-network',
    // The API answers GET /graphql with GraphiQL: every operation is a POST.
    preferGetMethod: false,
    fetchOptions: { headers: { 'Accept-Language': 'zh-CN' } },
  })
}

export const client = shallowRef<Client>(createClient())


/** Forget everything cached (memory and IndexedDB) and start a fresh client. */
export async function resetClient(): Promise<void> {
  await storage.clear()
  storage = createStorage()
  client.value = createClient()
}
