// The normalised cache (graphcache). Entities with an `id` are keyed by it; connections,
// edges and other id-less objects are embedded in their parent. Lists use Relay pagination,
// so infinite scroll merges pages into one list. The cache is persisted to IndexedDB, which is
// how the last-seen credits and ledger show offline; only queries are kept: writes that fail
// for want of signal are reported, never queued (no optimistic mutations are configured).
import type { Exchange } from '@urql/core'
import { offlineExchange, type CacheExchangeOpts, type Cache } from '@urql/exchange-graphcache'
import { fromPromise, mergeMap, pipe } from 'wonka'
import { relayPagination } from '@urql/exchange-graphcache/extras'
import { makeDefaultStorage } from '@urql/exchange-graphcache/default-storage'
import { graphql } from '@/gql'
import type { Visibility } from '@/gql/graphql'

const embedded = () => null

const VisibilityFragment = graphql(`
  fragment CacheDonationVisibility on Donation {
    id
    visibility
  }
`)

/** Drop every cached `field` of `typename` whatever its arguments (e.g. all donation lists). */
function invalidateField(cache: Cache, typename: string, field: string) {
  for (const f of cache.inspectFields(typename)) {
    if (f.fieldName === field) cache.invalidate(typename, f.fieldName, f.arguments ?? undefined)
  }
}

export const cacheConfig: CacheExchangeOpts = {
  keys: {
    Me: embedded,
    MyCredits: embedded,
    AuthPayload: embedded,
    PageInfo: embedded,
    TierBenefit: embedded,
    YearlyStatement: embedded,
    DonationResult: embedded,
    RedemptionResult: embedded,
    ReceiptVerification: embedded,
    StatementVerification: embedded,
    ImportReport: embedded,
    ImportRowError: embedded,
    CampaignConnection: embedded,
    CampaignEdge: embedded,
    CharityOrgConnection: embedded,
    CharityOrgEdge: embedded,
    CharityProjectConnection: embedded,
    CharityProjectEdge: embedded,
    CreditEntryConnection: embedded,
    CreditEntryEdge: embedded,
    DonationConnection: embedded,
    DonationEdge: embedded,
    PerkPartnerConnection: embedded,
    PerkPartnerEdge: embedded,
    RedemptionConnection: embedded,
    RedemptionEdge: embedded,
    RewardConnection: embedded,
    RewardEdge: embedded,
    TownConnection: embedded,
    TownEdge: embedded,
    // 洞头慈善榜: a board is embedded under its (board, period, town, first) arguments.
    Leaderboard: embedded,
    LeaderboardEntry: embedded,
    MyRank: embedded,
    DonationVisibility: embedded,
    ActivityConnection: embedded,
    ActivityEdge: embedded,
    SignupConnection: embedded,
    SignupEdge: embedded,
    ParticipantConnection: embedded,
    ParticipantEdge: embedded,
    Participant: embedded,
    CheckinCode: embedded,
    VolunteerCertificate: embedded,
    CertificateLine: embedded,
    BaijiaxinView: embedded,
    BaijiaxinLevel: embedded,
    BaijiaxinComponent: embedded,
    PerkOffer: embedded,
    PerkConnection: embedded,
    PerkEdge: embedded,
    VoucherConnection: embedded,
    VoucherEdge: embedded,
    VoucherLookup: embedded,
    ProjectTransparency: embedded,
    Amounts: embedded,
    PurposeFigures: embedded,
    MonthFigures: embedded,
    StockLot: embedded,
    DisbursementConnection: embedded,
    DisbursementEdge: embedded,
    BroadcastConnection: embedded,
    BroadcastEdge: embedded,
    RankingEditionConnection: embedded,
    RankingEditionEdge: embedded,
    EditionEntry: embedded,
    EditionVerification: embedded,
    SupervisionItemConnection: embedded,
    SupervisionItemEdge: embedded,
    DonationTrace: embedded,
    TraceSlice: embedded,
    PrivacyPolicy: embedded,
    PhoneCodeSent: embedded,
    AccountConnection: embedded,
    AccountEdge: embedded,
  },
  resolvers: {
    Query: {
      donations: relayPagination(),
      rewards: relayPagination(),
      charityProjects: relayPagination(),
      charityOrgs: relayPagination(),
      campaigns: relayPagination(),
      activities: relayPagination(),
      orgActivities: relayPagination(),
      mySignups: relayPagination(),
      myVouchers: relayPagination(),
      broadcasts: relayPagination(),
      rankingEditions: relayPagination(),
      supervisionItems: relayPagination(),
      accounts: relayPagination(),
    },
    Activity: {
      participants: relayPagination(),
    },
    ProjectTransparency: {
      disbursements: relayPagination(),
    },
    MyCredits: {
      ledger: relayPagination(),
      donations: relayPagination(),
      redemptions: relayPagination(),
    },
  },
  updates: {
    // A post published live: lists of posts are read again when next shown.
    Subscription: {
      broadcastPublished(_result, _args, cache) {
        invalidateField(cache, 'Query', 'broadcasts')
      },
    },
    Mutation: {
      recordDonation(_result, _args, cache) {
        invalidateField(cache, 'Query', 'donations')
        cache.invalidate('Query', 'myCredits')
      },
      voidDonation(_result, _args, cache) {
        cache.invalidate('Query', 'myCredits')
      },
      redeemReward(_result, _args, cache) {
        cache.invalidate('Query', 'myCredits')
      },
      cancelRedemption(_result, _args, cache) {
        cache.invalidate('Query', 'myCredits')
      },
      // A sign-up answers with the Signup; the activity's `mySignup` link is the viewer's own,
      // so it is pointed at the answer here (the nested activity never carries it).
      signUp(result, args, cache) {
        const signup = result.signUp as { __typename?: string; id?: string } | null
        if (signup?.id) cache.link({ __typename: 'Activity', id: String(args.activityId) }, 'mySignup', { __typename: 'Signup', id: signup.id })
        invalidateField(cache, 'Query', 'mySignups')
      },
      cancelSignup(result, args, cache) {
        const signup = result.cancelSignup as { __typename?: string; id?: string } | null
        if (signup?.id) cache.link({ __typename: 'Activity', id: String(args.activityId) }, 'mySignup', { __typename: 'Signup', id: signup.id })
        invalidateField(cache, 'Query', 'mySignups')
      },
      checkIn(_result, _args, cache) {
        invalidateField(cache, 'Query', 'mySignups')
      },
      checkOut(_result, _args, cache) {
        invalidateField(cache, 'Query', 'mySignups')
      },
      claimPerk(_result, _args, cache) {
        cache.invalidate('Query', 'myPerks')
        invalidateField(cache, 'Query', 'myVouchers')
      },
      certifyActivity(_result, args, cache) {
        invalidateField(cache, 'Activity:' + String(args.activityId), 'participants')
      },
      // The answer names the donation; its cached copy and every board it shows on follow.
      setDonationVisibility(result, _args, cache) {
        const r = result.setDonationVisibility as { donationId: string; visibility: Visibility } | null
        if (r) cache.writeFragment(VisibilityFragment, { id: r.donationId, visibility: r.visibility })
        invalidateField(cache, 'Query', 'leaderboard')
      },
      disputeCertification(_result, _args, cache) {
        cache.invalidate('Query', 'myVolunteerCertificate')
      },
      // Something new joins lists the cache cannot place it in by itself: they are read again.
      createCharityProject(_result, _args, cache) {
        invalidateField(cache, 'Query', 'charityProjects')
      },
      createCampaign(_result, _args, cache) {
        invalidateField(cache, 'Query', 'campaigns')
      },
      createCharityOrg(_result, _args, cache) {
        invalidateField(cache, 'Query', 'charityOrgs')
      },
      createStaffAccount(_result, _args, cache) {
        invalidateField(cache, 'Query', 'accounts')
      },
    },
  },
}

export const CACHE_DB_NAME = 'dt-graphcache'

export type CacheStorage = ReturnType<typeof makeDefaultStorage> & {
  /** Resolves once what the phone kept has been read back into the cache. */
  hydrated: Promise<void>
}

/**
 * The IndexedDB storage, with two guarantees the default one lacks. It keeps the day's cache
 * as one record that each write replaces whole, so a write issued before the read-back has
 * finished (a fast answer on a slow phone) would replace the day's record with only itself:
 * writes wait for the read-back. And `hydrated` says when a cache-only read means something,
 * which is what an offline start needs before it decides anything from the cache.
 */
export function createStorage(): CacheStorage {
  let markHydrated = () => {}
  const hydrated = new Promise<void>((resolve) => (markHydrated = resolve))
  const inner = makeDefaultStorage({ idbName: CACHE_DB_NAME, maxAge: 14, onCacheHydrated: () => markHydrated() })
  let readBack: Promise<unknown> = Promise.resolve()
  return {
    ...inner,
    hydrated,
    readData() {
      const data = inner.readData()
      readBack = data.catch(() => undefined)
      return data
    },
    writeData(delta) {
      return readBack.then(() => inner.writeData(delta))
    },
  }
}

/**
 * Holds every operation until the cache holds what the phone kept. Graphcache records what to
 * persist only once its read-back is done, so an answer that arrived before then (a fast
 * network on a slow phone) would never be kept for offline use; and a cache-only read before
 * then misses. Order is kept: each operation waits on the same promise.
 */
export function afterHydration(hydrated: Promise<void>): Exchange {
  return ({ forward }) =>
    (operations$) =>
      forward(
        pipe(
          operations$,
          mergeMap((operation) => fromPromise(hydrated.then(() => operation))),
        ),
      )
}

export function createCacheExchange(storage: CacheStorage) {
  return offlineExchange({ ...cacheConfig, storage })
}
