import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { ELDER_STORAGE_KEY, LOCALE_STORAGE_KEY, isAppLocale, usePreferencesStore } from './preferences'

describe('preferences store', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
  })

  it('speaks Chinese by default', () => {
    expect(usePreferencesStore().locale).toBe('zh-CN')
  })

  it('remembers the chosen language', () => {
    usePreferencesStore().setLocale('en')
    setActivePinia(createPinia())
    expect(usePreferencesStore().locale).toBe('en')
    expect(localStorage.getItem(LOCALE_STORAGE_KEY)).toBe('en')
  })

  it('falls back to Chinese for an unknown stored language', () => {
    localStorage.setItem(LOCALE_STORAGE_KEY, 'fr')
    expect(usePreferencesStore().locale).toBe('zh-CN')
    expect(isAppLocale('en')).toBe(true)
    expect(isAppLocale('fr')).toBe(false)
  })

  it('keeps 长辈模式 off until chosen, then remembers it', () => {
    expect(usePreferencesStore().elder).toBe(false)
    usePreferencesStore().setElder(true)
    setActivePinia(createPinia())
    expect(usePreferencesStore().elder).toBe(true)
    expect(localStorage.getItem(ELDER_STORAGE_KEY)).toBe('1')
    usePreferencesStore().setElder(false)
    expect(localStorage.getItem(ELDER_STORAGE_KEY)).toBeNull()
  })
})
