// The words for the API's input fields, fetched with the first error that names one: the first
// load stays within its budget, and an error is held (fieldNamesExchange) until its words are here.
import type { Exchange, OperationResult } from '@urql/core'
import { concatMap, fromPromise, fromValue, pipe } from 'wonka'
import type { AppLocale } from '@/stores/preferences'

type FieldNames = Record<string, string>

const loaders: Record<AppLocale, () => Promise<{ default: FieldNames }>> = {
  'zh-CN': () => import('./fields/zh-CN'),
  en: () => import('./fields/en'),
}

const loaded: Partial<Record<AppLocale, FieldNames>> = {}

/** Fetch the field words of `locale` once; a failed fetch leaves the generic words in use. */
export async function loadFieldNames(locale: AppLocale): Promise<void> {
  if (loaded[locale]) return
  try {
    loaded[locale] = (await loaders[locale]()).default
  } catch {
    // Offline before the words were ever fetched: the code's own words are said instead.
  }
}

/**
 * The words for `field` as the API gives it: one name (`amount`) or several joined by " or "
 * (`startsOn or endsOn`); null unless every one has words.
 */
export function fieldLabel(locale: AppLocale, field: string, or: string): string | null {
  const names = loaded[locale]
  if (!names) return null
  const labels = field.split(' or ').map((name) => (Object.hasOwn(names, name) ? names[name] : undefined))
  return labels.every((label) => label !== undefined) ? labels.join(or) : null
}

function namesAField(result: OperationResult): boolean {
  return (
    result.error?.graphQLErrors.some(
      (e) => e.extensions?.code === 'BAD_USER_INPUT' && typeof e.extensions.field === 'string',
    ) ?? false
  )
}

/** Holds a result whose error names a field until that field's words are loaded. */
export function fieldNamesExchange(locale: () => AppLocale): Exchange {
  return ({ forward }) =>
    (operations$) =>
      pipe(
        forward(operations$),
        // In order, so a later answer to the same operation never overtakes a held one.
        concatMap((result) =>
          namesAField(result) ? fromPromise(loadFieldNames(locale()).then(() => result)) : fromValue(result),
        ),
      )
}
