// The auth exchange: attaches the bearer token, trades the refresh token for a new pair when
// the access token has run out (or the API answers UNAUTHENTICATED), and when the API refuses
// the refresh token sends the person back to the login screen, which returns them to where
// they were. A refresh that could not be checked (no signal, or the API answering UNAVAILABLE
// while its database is down) keeps the session: it is tried again with the next request.
import { authExchange } from '@urql/exchange-auth'
import type { CombinedError, Operation } from '@urql/core'
import { graphql, useFragment } from '@/gql'
import { useSessionStore } from '@/stores/session'
import { isUnauthenticated } from './errors'

export const SessionPayloadFragment = graphql(`
  fragment SessionPayload on AuthPayload {
    accessToken
    accessTokenExpiresAt
    refreshToken
    refreshTokenExpiresAt
    account {
      id
      displayName
      role
      org {
        id
        name
      }
      partner {
        id
        name
      }
    }
  }
`)

const RefreshTokenMutation = graphql(`
  mutation RefreshToken($refreshToken: String!) {
    refreshToken(refreshToken: $refreshToken) {
      ...SessionPayload
    }
  }
`)

/** Operations that must go out without a token and never trigger a refresh. */
const ANONYMOUS_FIELDS = new Set(['login', 'refreshToken', 'logout'])

function isAnonymousOperation(operation: Operation): boolean {
  if (operation.kind !== 'mutation') return false
  for (const def of operation.query.definitions) {
    if (def.kind !== 'OperationDefinition') continue
    return def.selectionSet.selections.every(
      (s) => s.kind === 'Field' && ANONYMOUS_FIELDS.has(s.name.value),
    )
  }
  return false
}

type ExpiredHandler = () => void
let onExpired: ExpiredHandler = () => {}

/** The router registers how to get back to login (keeping the current route to return to). */
export function onSessionExpired(handler: ExpiredHandler): void {
  onExpired = handler
}

export type RefreshOutcome = 'signed-in' | 'retry-later' | 'signed-out'

/**
 * What a refresh attempt means for the session: only the API saying UNAUTHENTICATED (the
 * refresh token is unknown, used, revoked or expired) ends it. UNAVAILABLE, no signal, and any
 * other failure the API did not pin on the token leave the person signed in.
 */
export function refreshOutcome(result: { data?: unknown; error?: CombinedError | undefined }): RefreshOutcome {
  if (result.data && !result.error) return 'signed-in'
  return result.error && isUnauthenticated(result.error) ? 'signed-out' : 'retry-later'
}

export const auth = authExchange(async (utils) => {
  const session = useSessionStore()

  return {
    addAuthToOperation(operation) {
      const token = session.accessToken
      if (!token || isAnonymousOperation(operation)) return operation
      return utils.appendHeaders(operation, { Authorization: `Bearer ${token}` })
    },
    willAuthError(operation) {
      if (isAnonymousOperation(operation)) return false
      return session.isAuthenticated && session.accessTokenExpired()
    },
    didAuthError(error: CombinedError, operation) {
      return !isAnonymousOperation(operation) && session.isAuthenticated && isUnauthenticated(error)
    },
    async refreshAuth() {
      const refreshToken = session.refreshToken
      if (!refreshToken || session.refreshTokenExpired()) {
        session.signOut()
        onExpired()
        return
      }
      const result = await utils.mutate(RefreshTokenMutation, { refreshToken })
      const payload = useFragment(SessionPayloadFragment, result.data?.refreshToken)
      if (payload) {
        session.signIn(payload)
        return
      }
      // Without signal, or while the API cannot check sessions, the session may still be
      // good: keep it (the offline view works) and try again with the next request.
      if (refreshOutcome(result) !== 'signed-out') return
      session.signOut()
      onExpired()
    },
  }
})
