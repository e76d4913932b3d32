// The whole lists that forms pick from: every charity organisation, every alliance partner.
// Each is loaded to its last page (they are tens, not thousands) and stays current as the
// cache changes (a new organisation appears at once).
import { computed, watch } from 'vue'
import { graphql } from '@/gql'
import { usePagedQuery } from './paging'

const OrgChoicesQuery = graphql(`
  query OrgChoices($first: Int, $after: String) {
    charityOrgs(first: $first, after: $after) {
      nodes {
        id
        name
        parent {
          id
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`)

const PartnerChoicesQuery = graphql(`
  query PartnerChoices($first: Int, $after: String) {
    perkPartners(first: $first, after: $after) {
      nodes {
        id
        name
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`)

function loadEveryPage(paged: { data: { value: unknown }; finished: { value: boolean }; loadAll: () => Promise<unknown> }) {
  watch(
    () => paged.data.value,
    () => {
      if (!paged.finished.value) void paged.loadAll()
    },
    { immediate: true },
  )
}

/** Every charity organisation as a picker option; `pause` while not needed (not the bureau). */
export function useOrgChoices(pause: () => boolean = () => false) {
  const paged = usePagedQuery({ query: OrgChoicesQuery, connection: (d) => d.charityOrgs, pageSize: 100, pause })
  loadEveryPage(paged)
  const orgs = computed(() => paged.nodes.value)
  const options = computed(() => orgs.value.map((o) => ({ text: o.name, value: o.id })))
  return { orgs, options, fetching: paged.fetching }
}

/** Every alliance partner (礼遇联盟成员) as a picker option. */
export function usePartnerChoices(pause: () => boolean = () => false) {
  const paged = usePagedQuery({ query: PartnerChoicesQuery, connection: (d) => d.perkPartners, pageSize: 100, pause })
  loadEveryPage(paged)
  const options = computed(() => paged.nodes.value.map((p) => ({ text: p.name, value: p.id })))
  return { options, fetching: paged.fetching }
}
