import type zhCN from './zh-CN'

/** The shape every language file must have: the keys of the default, zh-CN. */
export type Messages = typeof zhCN

type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`>
}[keyof T & string]

/** Every message key, e.g. 'home.title'. */
export type MessageKey = Leaves<Messages>
