// vue-i18n with zh-CN as the default, and the one place where API error codes become words.
import { createI18n } from 'vue-i18n'
import type { CombinedError } from '@urql/core'
import { Locale } from 'vant'
// Vant ships its Chinese texts in its core already; English (Vant's and ours) is fetched only
// when chosen, so the first load carries one language.
import vantZhCN from 'vant/es/locale/lang/zh-CN'
import { errorCode, errorField } from '@/graphql/errors'
import { DEFAULT_LOCALE, type AppLocale } from '@/stores/preferences'
import { fieldLabel } from './fieldNames'
import zhCN from './zh-CN'
import type { Messages } from './schema'

export type { MessageKey, Messages } from './schema'
export { fieldNamesExchange, loadFieldNames } from './fieldNames'

export const i18n = createI18n<[Messages], AppLocale, false>({
  legacy: false,
  locale: DEFAULT_LOCALE,
  fallbackLocale: DEFAULT_LOCALE,
  messages: { 'zh-CN': zhCN } as Record<AppLocale, Messages>,
})

/** Switch the app's texts, Vant's own texts and the document language. */
export async function applyLocale(locale: AppLocale): Promise<void> {
  if (locale === 'en') {
    const [{ default: en }, { default: enUS }] = await Promise.all([import('./en'), import('vant/es/locale/lang/en-US')])
    i18n.global.setLocaleMessage('en', en)
    i18n.global.locale.value = locale
    document.documentElement.lang = locale
    Locale.use('en-US', enUS)
  } else {
    i18n.global.locale.value = locale
    document.documentElement.lang = locale
    Locale.use('zh-CN', vantZhCN)
  }
}

/** The words for an API error, by its `extensions.code`. */
export function errorMessage(error: CombinedError): string {
  const code = errorCode(error)
  // Bad input names its field (extensions.field): say which, in the app's language.
  const field = code === 'BAD_USER_INPUT' ? errorField(error) : null
  const label = field ? fieldLabel(i18n.global.locale.value, field, i18n.global.t('errors.fieldOr')) : null
  if (label) return i18n.global.t('errors.badField', { field: label })
  return i18n.global.t(`errors.${code}`)
}
