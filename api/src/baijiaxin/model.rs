//! The 百家信 rules, pure: four components, each with points, a cap and a one-line reason,
//! summed to the score, which maps to a level from 1 to 5.

use crate::money::Fen;

/// The score looks back this many months.
pub const WINDOW_MONTHS: u32 = 12;

pub const POINTS_PER_VOLUNTEER_HOUR: i64 = 10;
pub const VOLUNTEER_CAP: i64 = 400;
pub const POINTS_PER_DONATION: i64 = 20;
pub const DONATION_COUNT_CAP: i64 = 200;
/// One point per 10 yuan given.
pub const FEN_PER_AMOUNT_POINT: i64 = 1_000;
pub const DONATION_AMOUNT_CAP: i64 = 200;
/// Everyone starts with a clean record; each no-show takes some of it away.
pub const RELIABILITY_FULL: i64 = 100;
pub const NO_SHOW_PENALTY: i64 = 25;

/// What the score is computed from, all over the last 12 months.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Inputs {
    /// Certified volunteer minutes of activities that ended in the window.
    pub certified_minutes: i64,
    /// Confirmed donations given in the window.
    pub donations: i64,
    /// Their total, in fen.
    pub donated_fen: i64,
    /// Sign-ups for activities that ended in the window without a check-in.
    pub no_shows: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ComponentKind {
    VolunteerHours,
    DonationCount,
    DonationAmount,
    Reliability,
}

/// One part of the score, explained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Component {
    pub kind: ComponentKind,
    pub name: &'static str,
    pub points: i64,
    pub max_points: i64,
    /// One line in Chinese: what counted, and how to gain more.
    pub reason: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Level {
    pub level: i32,
    pub name: &'static str,
    pub min_score: i64,
}

/// The levels in ascending order; the first starts at 0.
pub const LEVELS: [Level; 5] = [
    Level {
        level: 1,
        name: "信用起步",
        min_score: 0,
    },
    Level {
        level: 2,
        name: "诚信守约",
        min_score: 150,
    },
    Level {
        level: 3,
        name: "乐善好施",
        min_score: 300,
    },
    Level {
        level: 4,
        name: "德行兼优",
        min_score: 500,
    },
    Level {
        level: 5,
        name: "共富楷模",
        min_score: 700,
    },
];

pub const MAX_SCORE: i64 =
    VOLUNTEER_CAP + DONATION_COUNT_CAP + DONATION_AMOUNT_CAP + RELIABILITY_FULL;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Score {
    pub components: Vec<Component>,
    pub total: i64,
    pub level: Level,
    pub next: Option<Level>,
}

impl Score {
    /// Points still needed for the next level.
    pub fn to_next(&self) -> Option<i64> {
        self.next.map(|n| n.min_score - self.total)
    }
}

/// The level a score reaches.
pub fn level_of(score: i64) -> (Level, Option<Level>) {
    let index = LEVELS
        .iter()
        .rposition(|l| l.min_score <= score)
        .unwrap_or(0);
    (LEVELS[index], LEVELS.get(index + 1).copied())
}

fn hours_text(minutes: i64) -> String {
    format!("{}.{}", minutes / 60, (minutes % 60) * 10 / 60)
}

fn volunteer(minutes: i64) -> Component {
    let minutes = minutes.max(0);
    let points = (minutes * POINTS_PER_VOLUNTEER_HOUR / 60).min(VOLUNTEER_CAP);
    let reason = if minutes == 0 {
        format!(
            "近12个月暂无认证的志愿服务时长；每服务1小时加{POINTS_PER_VOLUNTEER_HOUR}分，最多{VOLUNTEER_CAP}分"
        )
    } else if points == VOLUNTEER_CAP {
        format!(
            "近12个月认证志愿服务{}小时，已达上限{VOLUNTEER_CAP}分",
            hours_text(minutes)
        )
    } else {
        format!(
            "近12个月认证志愿服务{}小时，每小时{POINTS_PER_VOLUNTEER_HOUR}分，计{points}分（上限{VOLUNTEER_CAP}分）",
            hours_text(minutes)
        )
    };
    Component {
        kind: ComponentKind::VolunteerHours,
        name: "志愿服务",
        points,
        max_points: VOLUNTEER_CAP,
        reason,
    }
}

fn donation_count(count: i64) -> Component {
    let count = count.max(0);
    let points = (count * POINTS_PER_DONATION).min(DONATION_COUNT_CAP);
    let reason = if count == 0 {
        format!(
            "近12个月暂无捐赠记录；每参与1次捐赠加{POINTS_PER_DONATION}分，最多{DONATION_COUNT_CAP}分"
        )
    } else if points == DONATION_COUNT_CAP {
        format!("近12个月参与捐赠{count}次，已达上限{DONATION_COUNT_CAP}分")
    } else {
        format!(
            "近12个月参与捐赠{count}次，每次{POINTS_PER_DONATION}分，计{points}分（上限{DONATION_COUNT_CAP}分）"
        )
    };
    Component {
        kind: ComponentKind::DonationCount,
        name: "慈善参与",
        points,
        max_points: DONATION_COUNT_CAP,
        reason,
    }
}

fn donation_amount(fen: i64) -> Component {
    let fen = fen.max(0);
    let points = (fen / FEN_PER_AMOUNT_POINT).min(DONATION_AMOUNT_CAP);
    let yuan = Fen::new(fen);
    let reason = if fen == 0 {
        format!("近12个月暂无捐赠金额；每捐赠10元加1分，最多{DONATION_AMOUNT_CAP}分")
    } else if points == DONATION_AMOUNT_CAP {
        format!("近12个月累计捐赠{yuan}元，已达上限{DONATION_AMOUNT_CAP}分")
    } else {
        format!("近12个月累计捐赠{yuan}元，每10元1分，计{points}分（上限{DONATION_AMOUNT_CAP}分）")
    };
    Component {
        kind: ComponentKind::DonationAmount,
        name: "捐赠金额",
        points,
        max_points: DONATION_AMOUNT_CAP,
        reason,
    }
}

fn reliability(no_shows: i64) -> Component {
    let no_shows = no_shows.max(0);
    let points = (RELIABILITY_FULL - no_shows.saturating_mul(NO_SHOW_PENALTY)).max(0);
    let reason = if no_shows == 0 {
        format!("近12个月报名的活动均按时签到，守约满分{RELIABILITY_FULL}分")
    } else {
        format!(
            "近12个月有{no_shows}次报名后未签到，每次扣{NO_SHOW_PENALTY}分，计{points}分；不能参加请提前取消报名"
        )
    };
    Component {
        kind: ComponentKind::Reliability,
        name: "守约记录",
        points,
        max_points: RELIABILITY_FULL,
        reason,
    }
}

/// The score: the sum of its components, and the level it reaches.
pub fn score(inputs: &Inputs) -> Score {
    let components = vec![
        volunteer(inputs.certified_minutes),
        donation_count(inputs.donations),
        donation_amount(inputs.donated_fen),
        reliability(inputs.no_shows),
    ];
    let total = components.iter().map(|c| c.points).sum();
    let (level, next) = level_of(total);
    Score {
        components,
        total,
        level,
        next,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(s: &Score) -> i64 {
        s.components.iter().map(|c| c.points).sum()
    }

    #[test]
    fn the_components_add_up_to_the_score() {
        for inputs in [
            Inputs::default(),
            Inputs {
                certified_minutes: 540,
                donations: 4,
                donated_fen: 76_112,
                no_shows: 0,
            },
            Inputs {
                certified_minutes: 100_000,
                donations: 50,
                donated_fen: 10_000_000,
                no_shows: 9,
            },
            Inputs {
                certified_minutes: 95,
                donations: 1,
                donated_fen: 999,
                no_shows: 1,
            },
        ] {
            let s = score(&inputs);
            assert_eq!(s.components.len(), 4);
            assert_eq!(sum(&s), s.total, "{inputs:?}");
            assert!(
                s.components
                    .iter()
                    .all(|c| (0..=c.max_points).contains(&c.points))
            );
            assert!(s.components.iter().all(|c| !c.reason.is_empty()));
            assert!((0..=MAX_SCORE).contains(&s.total));
        }
    }

    #[test]
    fn the_demo_residents_year_scores_three_hundred_and_forty_six() {
        // 9 certified hours, 4 donations of 761.12 yuan, no no-shows.
        let s = score(&Inputs {
            certified_minutes: 540,
            donations: 4,
            donated_fen: 76_112,
            no_shows: 0,
        });
        let points: Vec<i64> = s.components.iter().map(|c| c.points).collect();
        assert_eq!(points, vec![90, 80, 76, 100]);
        assert_eq!(s.total, 346);
        assert_eq!(s.level.level, 3);
        assert_eq!(s.next.map(|l| l.level), Some(4));
        assert_eq!(s.to_next(), Some(154));
        assert!(s.components[0].reason.contains("9.0小时"));
        assert!(s.components[2].reason.contains("761.12元"));
    }

    #[test]
    fn every_component_is_capped_and_no_shows_never_go_below_zero() {
        let s = score(&Inputs {
            certified_minutes: 1_000_000,
            donations: 1_000,
            donated_fen: i64::MAX,
            no_shows: i64::MAX,
        });
        let points: Vec<i64> = s.components.iter().map(|c| c.points).collect();
        assert_eq!(points, vec![400, 200, 200, 0]);
        assert_eq!(s.level.level, 5);
        assert!(s.next.is_none());
        assert_eq!(s.to_next(), None);
    }

    #[test]
    fn each_no_show_costs_twenty_five_points() {
        let clean = score(&Inputs::default());
        let once = score(&Inputs {
            no_shows: 1,
            ..Default::default()
        });
        assert_eq!(clean.total - once.total, NO_SHOW_PENALTY);
        assert!(once.components[3].reason.contains("1次"));
    }

    #[test]
    fn levels_start_at_their_threshold() {
        assert_eq!(level_of(0).0.level, 1);
        assert_eq!(level_of(149).0.level, 1);
        assert_eq!(level_of(150).0.level, 2);
        assert_eq!(level_of(300).0.level, 3);
        assert_eq!(level_of(699).0.level, 4);
        assert_eq!(level_of(700).0.level, 5);
        assert_eq!(level_of(MAX_SCORE).0.level, 5);
    }
}
