// The session: tokens and who is logged in, kept in localStorage so a reload stays logged in.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { Role } from '@/gql/graphql'

export interface SessionAccount {
  id: string
  displayName: string
  role: Role
  orgId: string | null
  orgName: string | null
  partnerId: string | null
  partnerName: string | null
}

/** The shape of AuthPayload the store needs (login and refreshToken both answer with it). */
export interface AuthPayloadLike {
  accessToken: string
  accessTokenExpiresAt: string
  refreshToken: string
  refreshTokenExpiresAt: string
  account: {
    id: string
    displayName: string
    role: Role
    org?: { id: string; name: string } | null
    partner?: { id: string; name: string } | null
  }
}

interface Persisted {
  accessToken: string
  accessTokenExpiresAt: string
  refreshToken: string
  refreshTokenExpiresAt: string
  account: SessionAccount
}

export const SESSION_STORAGE_KEY = 'dt.session'
/** Refresh this long before the access token's stated expiry, to allow for clock skew. */
const EXPIRY_MARGIN_MS = 30_000

function load(): Persisted | null {
  try {
    const raw = localStorage.getItem(SESSION_STORAGE_KEY)
    if (!raw) return null
    const parsed = JSON.parse(raw) as Partial<Persisted>
    if (typeof parsed.accessToken !== 'string' || typeof parsed.refreshToken !== 'string' || !parsed.account) {
      return null
    }
    return parsed as Persisted
  } catch {
    return null
  }
}

export const useSessionStore = defineStore('session', () => {
  const state = ref<Persisted | null>(load())

  const isAuthenticated = computed(() => state.value !== null)
  const account = computed(() => state.value?.account ?? null)
  const role = computed<Role | null>(() => state.value?.account.role ?? null)
  const accessToken = computed(() => state.value?.accessToken ?? null)
  const refreshToken = computed(() => state.value?.refreshToken ?? null)

  function persist() {
    if (state.value) localStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify(state.value))
    else localStorage.removeItem(SESSION_STORAGE_KEY)
  }

  /** Take a fresh AuthPayload from login or refreshToken. */
  function signIn(payload: AuthPayloadLike) {
    state.value = {
      accessToken: payload.accessToken,
      accessTokenExpiresAt: payload.accessTokenExpiresAt,
      refreshToken: payload.refreshToken,
      refreshTokenExpiresAt: payload.refreshTokenExpiresAt,
      account: {
        id: payload.account.id,
        displayName: payload.account.displayName,
        role: payload.account.role,
        orgId: payload.account.org?.id ?? null,
        orgName: payload.account.org?.name ?? null,
        partnerId: payload.account.partner?.id ?? null,
        partnerName: payload.account.partner?.name ?? null,
      },
    }
    persist()
  }

  function signOut() {
    state.value = null
    persist()
  }

  /** True when the access token has expired (or is about to), so a refresh should go first. */
  function accessTokenExpired(now: number = Date.now()): boolean {
    if (!state.value) return false
    const expires = Date.parse(state.value.accessTokenExpiresAt)
    return Number.isNaN(expires) || expires - EXPIRY_MARGIN_MS <= now
  }

  /** True when even the refresh token has run out: only a new login helps. */
  function refreshTokenExpired(now: number = Date.now()): boolean {
    if (!state.value) return true
    const expires = Date.parse(state.value.refreshTokenExpiresAt)
    return Number.isNaN(expires) || expires <= now
  }

  return {
    isAuthenticated,
    account,
    role,
    accessToken,
    refreshToken,
    signIn,
    signOut,
    accessTokenExpired,
    refreshTokenExpired,
  }
})
