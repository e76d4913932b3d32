// Sending check-in codes: now when there is signal, or kept on the phone and sent when the
// signal returns (the app calls `startCheckinSync` once).
import { watch } from 'vue'
import { graphql } from '@/gql'
import { client } from '@/graphql/client'
import { errorCode, notStartedUntil, type ErrorCode } from '@/graphql/errors'
import { useNetworkStore } from '@/stores/network'
import { useSessionStore } from '@/stores/session'
import { usePendingCheckinsStore } from '@/stores/checkins'
import { i18n } from '@/locales'
import { outcomeOf, type CheckinKind, type PendingCheckin } from './queue'

export const CheckInMutation = graphql(`
  mutation CheckIn($code: String!, $activityId: ID) {
    checkIn(code: $code, activityId: $activityId) {
      id
      status
      checkedInAt
      checkedOutAt
      activity {
        id
        title
      }
    }
  }
`)

export const CheckOutMutation = graphql(`
  mutation CheckOut($code: String!, $activityId: ID) {
    checkOut(code: $code, activityId: $activityId) {
      id
      status
      checkedInAt
      checkedOutAt
      activity {
        id
        title
      }
    }
  }
`)

export interface SendResult {
  error: ErrorCode | null
  activityTitle?: string
  at?: string | null
  /** A check-out refused because the activity has not started: when it does. */
  startsAt?: string
}

/** One attempt at the API. */
export async function sendCheckin(code: string, kind: CheckinKind): Promise<SendResult> {
  const res =
    kind === 'IN'
      ? await client.value.mutation(CheckInMutation, { code }, { requestPolicy: 'network-only' }).toPromise()
      : await client.value.mutation(CheckOutMutation, { code }, { requestPolicy: 'network-only' }).toPromise()
  if (res.error) return { error: errorCode(res.error), startsAt: notStartedUntil(res.error) ?? undefined }
  const signup = res.data && ('checkIn' in res.data ? res.data.checkIn : res.data.checkOut)
  return {
    error: null,
    activityTitle: signup?.activity.title,
    at: kind === 'IN' ? signup?.checkedInAt : signup?.checkedOutAt,
  }
}

async function sendKept(p: PendingCheckin) {
  return outcomeOf((await sendCheckin(p.code, p.kind)).error)
}

/** Send the waiting codes of whoever is logged in, if there is signal. */
export async function sendWaitingCheckins(): Promise<{ sent: number; refused: number }> {
  const network = useNetworkStore()
  const session = useSessionStore()
  const accountId = session.account?.id
  if (!network.online || !accountId) return { sent: 0, refused: 0 }
  return usePendingCheckinsStore().sendWaiting(accountId, sendKept)
}

/** At start, whenever the signal returns, and on login: send what was kept. */
export function startCheckinSync(notify: (message: string) => void): void {
  const network = useNetworkStore()
  const session = useSessionStore()
  watch(
    () => [network.online, session.account?.id] as const,
    async ([online, accountId]) => {
      if (!online || !accountId) return
      const { sent, refused } = await sendWaitingCheckins()
      if (sent > 0) notify(i18n.global.t('checkin.syncedSent', { n: sent }))
      if (refused > 0) notify(i18n.global.t('checkin.syncedRefused', { n: refused }))
    },
    { immediate: true },
  )
}
