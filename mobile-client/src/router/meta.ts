// The document's title and share description (what a link preview shows), per page.
import { i18n, type MessageKey } from '@/locales'

function descriptionTag(): HTMLMetaElement {
  let tag = document.head.querySelector<HTMLMetaElement>('meta[name="description"]')
  if (!tag) {
    tag = document.createElement('meta')
    tag.name = 'description'
    document.head.appendChild(tag)
  }
  return tag
}

/** "项目名 · 洞头慈善共富", and the description; both in the current language. */
export function setDocumentText(title: string | null | undefined, description?: string | null): void {
  const app = i18n.global.t('app.name')
  document.title = title && title !== app ? `${title} · ${app}` : app
  descriptionTag().content = description || i18n.global.t('app.description')
}

/** The same from message keys (the route's meta). */
export function setDocumentMeta(title?: MessageKey, description?: MessageKey): void {
  setDocumentText(title ? i18n.global.t(title) : null, description ? i18n.global.t(description) : null)
}
