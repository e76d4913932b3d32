// The live half of the API: GraphQL subscriptions over WebSocket at /graphql/ws, in the
// graphql-transport-ws protocol (the `graphql-ws` library), which the API's async-graphql
// endpoint speaks. Loaded on demand by the subscription exchange, so a screen without live
// data never fetches it. The socket opens with the first subscription, closes with the last,
// and after a drop (no signal, a server restart) keeps retrying quietly, at most every 10 s.
// While open it pings the server every 20 s, so a load balancer never sees an idle socket (they
// commonly cut those after 60 s) and a subscription left open on a screen stays alive.
import { createClient, type Client, type ClientOptions } from 'graphql-ws'

const MAX_WAIT_MS = 10_000
/** Ping an open socket this often (graphql-ws keepAlive), well under idle timeouts of 60 s. */
export const KEEP_ALIVE_MS = 20_000

export function liveUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql/ws`
}

/** Wait before retry number `retries` (0-based): 0.5 s, 1 s, 2 s … up to 10 s, a little jitter. */
export function retryDelay(retries: number): number {
  return Math.min(MAX_WAIT_MS, 500 * 2 ** retries) + Math.floor(Math.random() * 300)
}

let live: Client | null = null

export function liveOptions(url: string): ClientOptions {
  return {
    url,
    lazy: true,
    keepAlive: KEEP_ALIVE_MS,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, retryDelay(retries))),
  }
}

export function liveClient(): Client {
  live ??= createClient(liveOptions(liveUrl(window.location)))
  return live
}
