// The router: guards by role, and the way back to login (and back again) when a session ends.
import { createRouter, createWebHistory, type RouteLocationNormalized } from 'vue-router'
import { useSessionStore } from '@/stores/session'
import { onSessionExpired } from '@/graphql/auth'
import { decide, homeRouteFor } from './roles'
import { pageRoutes, tabRoutes } from './routes'
import { setDocumentMeta } from './meta'

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    {
      path: '/',
      component: () => import('@/components/TabLayout.vue'),
      children: tabRoutes,
      redirect: () => {
        const role = useSessionStore().role
        return role ? { name: homeRouteFor(role) } : { name: 'welcome' }
      },
    },
    ...pageRoutes,
    { name: 'not-found', path: '/:pathMatch(.*)*', component: () => import('@/pages/not-found/NotFoundPage.vue'), meta: { title: 'notFound.title' } },
  ],
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
})

function loginFor(to: RouteLocationNormalized, expired = false) {
  return { name: 'login', query: { redirect: to.fullPath, ...(expired ? { expired: '1' } : {}) } }
}

router.beforeEach((to) => {
  const session = useSessionStore()
  switch (decide(to.meta, session.role)) {
    case 'allow':
      return true
    case 'login':
      return loginFor(to)
    case 'home':
      return { name: homeRouteFor(session.role!) }
  }
})

// Every address is shareable: its title and description follow the page (pages with a
// name of their own, a project or an activity, refine them once loaded).
router.afterEach((to) => setDocumentMeta(to.meta.title, to.meta.description))

onSessionExpired(() => {
  const current = router.currentRoute.value
  if (current.name === 'login') return
  void router.replace(loginFor(current, true))
})
