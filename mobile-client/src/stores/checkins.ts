// Check-in codes kept on the phone while there is no signal (see checkin/queue.ts), in
// localStorage so they survive the app being closed. Sent when the signal returns.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { enqueue, flush, parseStored, waiting, type CheckinKind, type PendingCheckin, type SendOutcome } from '@/checkin/queue'

export const PENDING_CHECKINS_KEY = 'dt.pendingCheckins'

export const usePendingCheckinsStore = defineStore('pendingCheckins', () => {
  const items = ref<PendingCheckin[]>(parseStored(safeRead()))
  const sending = ref(false)

  function save() {
    try {
      localStorage.setItem(PENDING_CHECKINS_KEY, JSON.stringify(items.value))
    } catch {
      // Storage full or blocked: the list still lives for this session.
    }
  }

  /** `activityId`: the activity whose page the code was typed on (a short code names none). */
  function keep(accountId: string, code: string, kind: CheckinKind, activityId: string | null = null): PendingCheckin {
    items.value = enqueue(items.value, { accountId, code, kind, activityId })
    save()
    return items.value[items.value.length - 1]!
  }

  function dismiss(id: string) {
    items.value = items.value.filter((p) => p.id !== id)
    save()
  }

  function forAccount(accountId: string | null) {
    return computed(() => items.value.filter((p) => p.accountId === accountId))
  }

  /** Send what waits for this account; one flush at a time. Returns how many were sent. */
  async function sendWaiting(accountId: string, send: (p: PendingCheckin) => Promise<SendOutcome>) {
    if (sending.value || waiting(items.value, accountId).length === 0) return { sent: 0, refused: 0 }
    sending.value = true
    try {
      const report = await flush(items.value, accountId, send)
      // Codes kept while this flush ran stay: merge by id.
      const handled = new Set([...report.sent, ...report.refused].map((p) => p.id))
      const refusedById = new Map(report.refused.map((p) => [p.id, p]))
      items.value = items.value
        .filter((p) => !report.sent.some((s) => s.id === p.id))
        .map((p) => (handled.has(p.id) ? (refusedById.get(p.id) ?? p) : p))
      save()
      return { sent: report.sent.length, refused: report.refused.length }
    } finally {
      sending.value = false
    }
  }

  return { items, sending, keep, dismiss, forAccount, sendWaiting }
})

function safeRead(): string | null {
  try {
    return localStorage.getItem(PENDING_CHECKINS_KEY)
  } catch {
    return null
  }
}
