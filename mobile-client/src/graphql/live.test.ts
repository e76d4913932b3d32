import { afterEach, describe, expect, it, vi } from 'vitest'
import { createClient } from 'graphql-ws'
import { KEEP_ALIVE_MS, liveOptions, liveUrl, retryDelay } from './live'

/** Just enough of a WebSocket for graphql-ws: records what the client sends. */
class FakeSocket {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSING = 2
  static readonly CLOSED = 3
  static last: FakeSocket | null = null
  readonly protocol = 'graphql-transport-ws'
  readyState = 0
  sent: { type: string }[] = []
  onopen: (() => void) | null = null
  onmessage: ((e: { data: string }) => void) | null = null
  onclose: ((e: { code: number; reason: string }) => void) | null = null
  onerror: ((e: unknown) => void) | null = null
  constructor(readonly url: string) {
    FakeSocket.last = this
    setTimeout(() => {
      this.readyState = 1
      this.onopen?.()
    }, 0)
  }
  send(data: string) {
    const message = JSON.parse(data) as { type: string }
    this.sent.push(message)
    if (message.type === 'connection_init') setTimeout(() => this.onmessage?.({ data: JSON.stringify({ type: 'connection_ack' }) }), 0)
  }
  close(code = 1000, reason = '') {
    this.readyState = 3
    this.onclose?.({ code, reason })
  }
}

describe('the live connection', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('uses the page host, over TLS when the page is', () => {
    expect(liveUrl({ protocol: 'http:', host: '127.0.0.1:8000' })).toBe('ws://127.0.0.1:8000/graphql/ws')
    expect(liveUrl({ protocol: 'https:', host: 'dongtou.example' })).toBe('wss://dongtou.example/graphql/ws')
  })

  it('waits longer after each failed retry, never more than about 10 s', () => {
    expect(retryDelay(0)).toBeGreaterThanOrEqual(500)
    expect(retryDelay(0)).toBeLessThan(800)
    expect(retryDelay(3)).toBeGreaterThanOrEqual(4000)
    expect(retryDelay(30)).toBeLessThan(10_300)
  })

  it('pings an idle open socket before a load balancer would cut it (60 s)', async () => {
    vi.useFakeTimers()
    const client = createClient({ ...liveOptions('ws://api.test/graphql/ws'), webSocketImpl: FakeSocket })
    const unsubscribe = client.subscribe({ query: 'subscription { broadcastPublished { id } }' }, { next() {}, error() {}, complete() {} })
    await vi.advanceTimersByTimeAsync(10)
    const socket = FakeSocket.last!
    expect(socket.sent.map((m) => m.type)).toEqual(['connection_init', 'subscribe'])
    await vi.advanceTimersByTimeAsync(KEEP_ALIVE_MS)
    expect(socket.sent.filter((m) => m.type === 'ping').length).toBe(1)
    expect(KEEP_ALIVE_MS).toBeLessThan(60_000)
    unsubscribe()
    await client.dispose()
  })
})
