// Screens that come with later API capabilities. Each has its route name reserved and its tab
// or shortcut declared already; flipping its flag to true (once the page under
// src/pages/<route>/ exists and the router entry points at it) is all it takes to show it.
export const FEATURES = {
  /** 志愿服务活动: list with town and date filters, detail, sign up, cancel. */
  activities: false,
  /** 签到: scan the activity QR or type its code (kept on the phone when offline). */
  checkin: false,
  /** 我的时长, disputes and the printable certificate. */
  hours: false,
  /** 礼遇: perks I qualify for, claiming one (voucher QR with a countdown). */
  perks: false,
  /** 洞头慈善榜: board, period and town tabs, my own rank pinned. */
  board: false,
  /** 项目: raised versus disbursed (阳光慈善). */
  projects: false,
  /** Partner staff scan or type a voucher code and honour it. */
  partnerHonour: false,
  /** Charity staff: activities and attendance, certify hours in bulk. */
  staffActivities: false,
} as const

export type Feature = keyof typeof FEATURES

export function isEnabled(feature: Feature | undefined): boolean {
  return feature === undefined || FEATURES[feature]
}
