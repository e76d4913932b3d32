// What the person chose for this phone: the language (Chinese unless they switch) and 长辈模式,
// larger type for older residents (on top of the phone's own text size, which the app follows).
import { defineStore } from 'pinia'
import { ref } from 'vue'

export const LOCALES = ['zh-CN', 'en'] as const
export type AppLocale = (typeof LOCALES)[number]
export const DEFAULT_LOCALE: AppLocale = 'zh-CN'
export const LOCALE_STORAGE_KEY = 'dt.locale'
export const ELDER_STORAGE_KEY = 'dt.elder'
/** The class on <html> that enlarges every rem-sized text (src/styles.css). */
export const ELDER_CLASS = 'elder'

export function isAppLocale(value: unknown): value is AppLocale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value)
}

function load(): AppLocale {
  try {
    const stored = localStorage.getItem(LOCALE_STORAGE_KEY)
    return isAppLocale(stored) ? stored : DEFAULT_LOCALE
  } catch {
    return DEFAULT_LOCALE
  }
}

function loadElder(): boolean {
  try {
    return localStorage.getItem(ELDER_STORAGE_KEY) === '1'
  } catch {
    return false
  }
}

export const usePreferencesStore = defineStore('preferences', () => {
  const locale = ref<AppLocale>(load())
  const elder = ref(loadElder())

  function setLocale(next: AppLocale) {
    locale.value = next
    localStorage.setItem(LOCALE_STORAGE_KEY, next)
  }

  function setElder(on: boolean) {
    elder.value = on
    if (on) localStorage.setItem(ELDER_STORAGE_KEY, '1')
    else localStorage.removeItem(ELDER_STORAGE_KEY)
  }

  return { locale, setLocale, elder, setElder }
})
