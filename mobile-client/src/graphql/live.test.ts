import { describe, expect, it } from 'vitest'
import { liveUrl, retryDelay } from './live'

describe('the live connection', () => {
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
})
