// Starting a session from an AuthPayload (logging in, registering, logging in after setting a
// new password): the cache of whoever used the phone before goes, the session is kept, and the
// person goes where they were heading (the login screen's `redirect`) or to their role's home.
import { useRoute, useRouter } from 'vue-router'
import { resetClient } from '@/graphql/client'
import { useSessionStore, type AuthPayloadLike } from '@/stores/session'
import { afterLoginTarget } from './roles'

export function useSignIn(): (payload: AuthPayloadLike) => Promise<void> {
  const route = useRoute()
  const router = useRouter()
  const session = useSessionStore()
  return async (payload) => {
    await resetClient()
    session.signIn(payload)
    const target = afterLoginTarget(route.query.redirect, payload.account.role, (path) => {
      const resolved = router.resolve(path)
      return resolved.matched.length && resolved.name !== 'not-found' ? resolved.meta : null
    })
    await router.replace(target)
  }
}
