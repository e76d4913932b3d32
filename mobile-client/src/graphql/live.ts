// The live half of the API: GraphQL subscriptions over WebSocket at /graphql/ws, in the
// graphql-transport-ws protocol (the `graphql-ws` library), which the API's async-graphql
// endpoint speaks. Loaded on demand by the subscription exchange, so a screen without live
// data never fetches it. The socket opens with the first subscription, closes with the last,
// and after a drop (no signal, a server restart) keeps retrying quietly, at most every 10 s.
import { createClient, type Client } from 'graphql-ws'

const MAX_WAIT_MS = 10_000

export function liveUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql/ws`
}

/** Wait before retry number `retries` (0-based): 0.5 s, 1 s, 2 s … up to 10 s, a little jitter. */
export function retryDelay(retries: number): number {
  return Math.min(MAX_WAIT_MS, 500 * 2 ** retries) + Math.floor(Math.random() * 300)
}

let live: Client | null = null

export function liveClient(): Client {
  live ??= createClient({
    url: liveUrl(window.location),
    lazy: true,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, retryDelay(retries))),
  })
  return live
}
