// Screens that came with later API capabilities, each behind a flag: turning one off hides its
// tab and shortcut (e.g. while the API behind it is switched off in a district).
export const FEATURES = {
  /** 志愿服务活动: list with town and date filters, detail, sign up, cancel. */
  activities: true,
  /** 签到: scan the activity QR or type its code (kept on the phone when offline). */
  checkin: true,
  /** 我的时长, disputes and the printable certificate. */
  hours: true,
  /** 礼遇: perks I qualify for, claiming one (voucher QR with a countdown). */
  perks: true,
  /** 洞头慈善榜: board, period and town tabs, my own rank pinned. */
  board: true,
  /** 项目: raised versus disbursed (阳光慈善). */
  projects: true,
  /** Partner staff scan or type a voucher code and honour it. */
  partnerHonour: true,
  /** Charity staff: activities and attendance, certify hours in bulk. */
  staffActivities: true,
} as const

export type Feature = keyof typeof FEATURES

export function isEnabled(feature: Feature | undefined): boolean {
  return feature === undefined || FEATURES[feature]
}
