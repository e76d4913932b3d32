import { afterEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useNetworkStore } from './network'

describe('network store', () => {
  afterEach(() => vi.restoreAllMocks())

  it('follows the browser going offline and coming back', () => {
    setActivePinia(createPinia())
    const onLine = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(true)
    const network = useNetworkStore()
    expect(network.online).toBe(true)

    onLine.mockReturnValue(false)
    window.dispatchEvent(new Event('offline'))
    expect(network.online).toBe(false)

    onLine.mockReturnValue(true)
    window.dispatchEvent(new Event('online'))
    expect(network.online).toBe(true)
  })
})
