//! The board's domain types: periods and their keys, which sorted set a board lives in, the
//! members of a set, the ranking rules in force, competition ranks, names as shown in public.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::ActiveEnum;
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    district_time::{DISTRICT_TZ, local_midnight},
    entities::{
        enums::{Board, FundingSource, NameStyle, Period},
        ranking_rule,
    },
    error::{AppError, AppResult},
};

/// How every resident without consent, and every anonymous donation, appears in public.
pub const ANONYMOUS_NAME: &str = "爱心人士";

/// A period and its key in Asia/Shanghai: `2026-06`, `2026-Q2`, `2026` or `all`, with the
/// instants it spans (`[start, end)`; none for all time).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PeriodKey {
    period: Period,
    key: String,
    range: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

fn first_of(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, 1)
}

impl PeriodKey {
    fn build(period: Period, year: i32, index: u32) -> Option<Self> {
        let (key, start, months) = match period {
            Period::Month => (format!("{year:04}-{index:02}"), first_of(year, index)?, 1),
            Period::Quarter => (
                format!("{year:04}-Q{index}"),
                first_of(year, (index - 1) * 3 + 1)?,
                3,
            ),
            Period::Year => (format!("{year:04}"), first_of(year, 1)?, 12),
            Period::AllTime => return Some(Self::all_time()),
        };
        let end = start.checked_add_months(chrono::Months::new(months))?;
        Some(Self {
            period,
            key,
            range: Some((local_midnight(start), local_midnight(end))),
        })
    }

    pub fn all_time() -> Self {
        Self {
            period: Period::AllTime,
            key: "all".into(),
            range: None,
        }
    }

    /// The period of `period` kind that contains the instant `at` (local time).
    pub fn containing(period: Period, at: DateTime<Utc>) -> Self {
        let local = at.with_timezone(&DISTRICT_TZ);
        let (year, month) = (local.year(), local.month());
        let index = match period {
            Period::Month => month,
            Period::Quarter => (month - 1) / 3 + 1,
            Period::Year | Period::AllTime => 1,
        };
        Self::build(period, year, index).expect("a real date has a period")
    }

    /// Read a key such as `2026-06`, `2026-Q2`, `2026` or `all` for `period`.
    pub fn parse(period: Period, text: &str) -> AppResult<Self> {
        let bad = || {
            AppError::bad_field(
                "periodKey",
                match period {
                    Period::Month => "a month like 2026-06",
                    Period::Quarter => "a quarter like 2026-Q2",
                    Period::Year => "a year like 2026",
                    Period::AllTime => "all",
                },
            )
        };
        let text = text.trim();
        let year = |y: &str| {
            (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
                .then(|| y.parse::<i32>().ok())
                .flatten()
                .filter(|y| (2000..=2100).contains(y))
        };
        let parsed = match period {
            Period::AllTime => (text.eq_ignore_ascii_case("all")).then(Self::all_time),
            Period::Year => year(text).and_then(|y| Self::build(period, y, 1)),
            Period::Month => text.split_once('-').and_then(|(y, m)| {
                let m = (m.len() == 2).then(|| m.parse::<u32>().ok()).flatten()?;
                (1..=12)
                    .contains(&m)
                    .then(|| Self::build(period, year(y)?, m))?
            }),
            Period::Quarter => text.split_once("-Q").and_then(|(y, q)| {
                let q = (q.len() == 1).then(|| q.parse::<u32>().ok()).flatten()?;
                (1..=4)
                    .contains(&q)
                    .then(|| Self::build(period, year(y)?, q))?
            }),
        };
        parsed.ok_or_else(bad)
    }

    pub fn period(&self) -> Period {
        self.period
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn range(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        self.range
    }

    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.range.is_none_or(|(s, e)| s <= at && at < e)
    }

    /// Every period (of the four kinds) that contains `at`.
    pub fn all_containing(at: DateTime<Utc>) -> [Self; 4] {
        [
            Self::containing(Period::Month, at),
            Self::containing(Period::Quarter, at),
            Self::containing(Period::Year, at),
            Self::all_time(),
        ]
    }
}

/// One board of one period in the whole district (`town` none) or one town: one sorted set.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BoardSpec {
    pub board: Board,
    pub period: PeriodKey,
    pub town: Option<Uuid>,
}

/// Every ranking key lives under one hash tag, so scripts touching several keys also work on a
/// Redis Cluster.
pub(crate) const TAG: &str = "{lb}";

impl BoardSpec {
    fn suffix(&self) -> String {
        format!(
            "{}:{}:{}:{}",
            self.board.to_value(),
            self.period.period.to_value(),
            self.period.key,
            self.town
                .map_or_else(|| "all".to_owned(), |t| t.to_string())
        )
    }

    /// The sorted set: member = donor id (see [`Member`]), score = fen or minutes.
    pub fn zset_key(&self) -> String {
        format!("{TAG}:z:{}", self.suffix())
    }

    /// The set's state: whether it is complete (`state=ready`), its sum, when it was built.
    pub fn meta_key(&self) -> String {
        format!("{TAG}:m:{}", self.suffix())
    }

    pub fn staging_key(&self, token: &str) -> String {
        format!("{TAG}:s:{}:{token}", self.suffix())
    }

    /// The pattern matching every set's meta key.
    pub fn meta_pattern() -> String {
        format!("{TAG}:m:*")
    }

    /// Read a meta key back (for rebuilding and verifying the sets Redis holds).
    pub fn from_meta_key(key: &str) -> Option<Self> {
        let rest = key.strip_prefix(&format!("{TAG}:m:"))?;
        let mut parts = rest.split(':');
        let board = Board::try_from_value(&parts.next()?.to_owned()).ok()?;
        let period = Period::try_from_value(&parts.next()?.to_owned()).ok()?;
        let period = PeriodKey::parse(period, parts.next()?).ok()?;
        let town = match parts.next()? {
            "all" => None,
            t => Some(Uuid::parse_str(t).ok()?),
        };
        parts.next().is_none().then_some(Self {
            board,
            period,
            town,
        })
    }

    /// Past periods are cold: their sets expire a day after they were built or the period
    /// ended, whichever is later, and are rebuilt on demand.
    pub fn expires_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let (_, end) = self.period.range?;
        Some(end.max(now) + chrono::Duration::days(1))
    }
}

/// The key holding the board version: a fresh random value after every write, so cached
/// responses keyed by it are never served after a write was acknowledged.
pub fn version_key() -> String {
    format!("{TAG}:version")
}

/// The key holding the publication epoch that orders rebuilds against writes.
pub fn epoch_key() -> String {
    format!("{TAG}:epoch")
}

/// Written by the upkeep alone. Readers' own rebuilds stamp a new epoch but never this, so
/// its absence tells the upkeep the cache lost its keys (a flush, a restart without
/// persistence) even after a reader has rebuilt one set since.
pub fn upkeep_mark_key() -> String {
    format!("{TAG}:upkept")
}

/// A member of a set: the donor's named part, or the part given anonymously (shown as
/// 爱心人士, never linked to the donor in public).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Member {
    pub donor: Uuid,
    pub anonymous: bool,
}

impl Member {
    pub fn named(donor: Uuid) -> Self {
        Self {
            donor,
            anonymous: false,
        }
    }

    pub fn encode(&self) -> String {
        if self.anonymous {
            format!("{}:anon", self.donor)
        } else {
            self.donor.to_string()
        }
    }

    pub fn decode(text: &str) -> Option<Self> {
        match text.strip_suffix(":anon") {
            Some(id) => Some(Self {
                donor: Uuid::parse_str(id).ok()?,
                anonymous: true,
            }),
            None => Some(Self::named(Uuid::parse_str(text).ok()?)),
        }
    }
}

/// `张*明`; two characters `张*`; longer names keep the first and last character.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => ANONYMOUS_NAME.to_owned(),
        1 | 2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// How a resident appears: by name or masked only with their consent, else 爱心人士.
pub fn resident_display_name(name: &str, consent: bool, style: NameStyle) -> String {
    match (consent, style) {
        (false, _) => ANONYMOUS_NAME.to_owned(),
        (true, NameStyle::Named) => name.trim().to_owned(),
        (true, NameStyle::Masked) => mask_name(name),
    }
}

/// The rule in force for one donation (or the empty rule before the first one).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Effective {
    pub exclude_government_matching: bool,
    pub exclude_charity_transfers: bool,
    pub roll_up_branches: bool,
    pub min_amount_fen: i64,
}

impl Effective {
    pub fn counts(&self, source: FundingSource) -> bool {
        match source {
            FundingSource::Public => true,
            FundingSource::GovernmentMatching => !self.exclude_government_matching,
            FundingSource::CharityTransfer => !self.exclude_charity_transfers,
        }
    }
}

impl From<&ranking_rule::Model> for Effective {
    fn from(r: &ranking_rule::Model) -> Self {
        Self {
            exclude_government_matching: r.exclude_government_matching,
            exclude_charity_transfers: r.exclude_charity_transfers,
            roll_up_branches: r.roll_up_branches,
            min_amount_fen: r.min_amount_fen,
        }
    }
}

/// The dated ranking rules. A donation follows the rule in force on its `donatedAt` (as
/// credits do); the minimum to appear is the one in force when the board is shown.
#[derive(Clone, Debug, Default)]
pub struct RuleBook {
    /// Ascending by `effective_from`.
    rules: Vec<ranking_rule::Model>,
}

impl RuleBook {
    pub fn new(mut rules: Vec<ranking_rule::Model>) -> Self {
        rules.sort_by_key(|r| r.effective_from);
        Self { rules }
    }

    /// Index of the rule in force at `at`, if any.
    pub fn index_at(&self, at: DateTime<Utc>) -> Option<usize> {
        self.rules.iter().rposition(|r| r.effective_from <= at)
    }

    pub fn at(&self, at: DateTime<Utc>) -> Effective {
        self.index_at(at)
            .map(|i| Effective::from(&self.rules[i]))
            .unwrap_or_default()
    }

    pub fn by_index(&self, index: Option<usize>) -> Effective {
        index
            .and_then(|i| self.rules.get(i))
            .map(Effective::from)
            .unwrap_or_default()
    }

    pub fn rules(&self) -> &[ranking_rule::Model] {
        &self.rules
    }

    /// The rules that were in force at some moment of `[start, end)` (all, for all time).
    pub fn in_force_during(
        &self,
        range: Option<(DateTime<Utc>, DateTime<Utc>)>,
    ) -> Vec<&ranking_rule::Model> {
        let Some((start, end)) = range else {
            return self.rules.iter().collect();
        };
        let first = self.index_at(start).unwrap_or(0);
        self.rules
            .iter()
            .enumerate()
            .filter(|(i, r)| *i >= first && r.effective_from < end)
            .map(|(_, r)| r)
            .collect()
    }
}

/// One member's total on a board.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    pub member: String,
    pub total: i64,
}

/// Highest total first; ties in the order Redis's ZREVRANGE gives them (member descending), so
/// the database and the cache list a board identically.
pub fn sort_standings(standings: &mut [Standing]) {
    standings.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| b.member.cmp(&a.member)));
}

/// Competition ranking ("1224"): equal totals share a rank, the next rank skips.
pub fn competition_ranks(totals: &[i64]) -> Vec<u32> {
    let mut ranks = Vec::with_capacity(totals.len());
    for (i, total) in totals.iter().enumerate() {
        let rank = match i {
            0 => 1,
            _ if totals[i - 1] == *total => ranks[i - 1],
            _ => i as u32 + 1,
        };
        ranks.push(rank);
    }
    ranks
}

/// SHA-256 (hex) over the ledger rows an edition was computed from: one line `id:amount` per
/// row, sorted by id. Anyone holding the rows can recompute it.
pub fn ledger_hash(rows: &mut [(Uuid, i64)]) -> String {
    rows.sort_unstable();
    let mut hasher = Sha256::new();
    for (id, amount) in rows.iter() {
        hasher.update(format!("{id}:{amount}\n").as_bytes());
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn local(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        DISTRICT_TZ
            .with_ymd_and_hms(y, m, d, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn periods_follow_beijing_time() {
        // 2026-06-30 23:30 UTC is already July in Dongtou.
        let at = Utc.with_ymd_and_hms(2026, 6, 30, 23, 30, 0).unwrap();
        assert_eq!(PeriodKey::containing(Period::Month, at).key(), "2026-07");
        assert_eq!(PeriodKey::containing(Period::Quarter, at).key(), "2026-Q3");
        assert_eq!(PeriodKey::containing(Period::Year, at).key(), "2026");
        assert_eq!(PeriodKey::containing(Period::AllTime, at).key(), "all");
        let june = PeriodKey::containing(Period::Month, local(2026, 6, 15, 12));
        assert_eq!(june.key(), "2026-06");
        assert!(june.contains(local(2026, 6, 1, 0)));
        assert!(!june.contains(local(2026, 7, 1, 0)));
    }

    #[test]
    fn period_keys_parse_only_their_own_shape() {
        assert_eq!(
            PeriodKey::parse(Period::Quarter, "2026-Q2").unwrap(),
            PeriodKey::containing(Period::Quarter, local(2026, 5, 1, 9))
        );
        assert!(PeriodKey::parse(Period::Month, "2026-13").is_err());
        assert!(PeriodKey::parse(Period::Month, "2026-6").is_err());
        assert!(PeriodKey::parse(Period::Quarter, "2026-Q5").is_err());
        assert!(PeriodKey::parse(Period::Year, "26").is_err());
        assert!(PeriodKey::parse(Period::AllTime, "2026").is_err());
        assert_eq!(
            PeriodKey::parse(Period::Month, "2026-12").unwrap().range(),
            Some((local(2026, 12, 1, 0), local(2027, 1, 1, 0)))
        );
    }

    #[test]
    fn meta_keys_read_back_into_the_board_they_name() {
        let spec = BoardSpec {
            board: Board::Organisations,
            period: PeriodKey::parse(Period::Quarter, "2026-Q2").unwrap(),
            town: Some(Uuid::now_v7()),
        };
        assert_eq!(
            BoardSpec::from_meta_key(&spec.meta_key()),
            Some(spec.clone())
        );
        assert_eq!(BoardSpec::from_meta_key(&spec.zset_key()), None);
    }

    #[test]
    fn members_encode_their_anonymous_part_apart() {
        let id = Uuid::now_v7();
        let anon = Member {
            donor: id,
            anonymous: true,
        };
        assert_eq!(Member::decode(&anon.encode()), Some(anon));
        assert_eq!(Member::decode(&id.to_string()), Some(Member::named(id)));
        assert_eq!(Member::decode("nonsense"), None);
    }

    #[test]
    fn names_are_masked_as_the_design_says() {
        assert_eq!(mask_name("张晓明"), "张*明");
        assert_eq!(mask_name("张明"), "张*");
        assert_eq!(mask_name("欧阳小明"), "欧**明");
        assert_eq!(
            resident_display_name("张晓明", false, NameStyle::Named),
            ANONYMOUS_NAME
        );
        assert_eq!(
            resident_display_name("张晓明", true, NameStyle::Named),
            "张晓明"
        );
        assert_eq!(
            resident_display_name("张晓明", true, NameStyle::Masked),
            "张*明"
        );
    }

    #[test]
    fn equal_totals_share_a_rank() {
        assert_eq!(
            competition_ranks(&[90, 50, 50, 20, 20, 20, 5]),
            vec![1, 2, 2, 4, 4, 4, 7]
        );
        assert!(competition_ranks(&[]).is_empty());
    }

    #[test]
    fn rules_apply_by_date() {
        let rule = |day: u32, gm: bool| ranking_rule::Model {
            id: Uuid::now_v7(),
            effective_from: local(2026, 1, day, 0),
            exclude_government_matching: gm,
            exclude_charity_transfers: false,
            roll_up_branches: false,
            min_amount_fen: 0,
            created_by: None,
            created_at: Utc::now(),
        };
        let book = RuleBook::new(vec![rule(10, false), rule(1, true)]);
        assert_eq!(book.at(local(2025, 12, 31, 0)), Effective::default());
        assert!(
            !book
                .at(local(2026, 1, 5, 0))
                .counts(FundingSource::GovernmentMatching)
        );
        assert!(
            book.at(local(2026, 1, 15, 0))
                .counts(FundingSource::GovernmentMatching)
        );
        let jan = PeriodKey::parse(Period::Month, "2026-01").unwrap();
        assert_eq!(book.in_force_during(jan.range()).len(), 2);
        let feb = PeriodKey::parse(Period::Month, "2026-02").unwrap();
        assert_eq!(book.in_force_during(feb.range()).len(), 1);
    }

    #[test]
    fn the_ledger_hash_ignores_row_order() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(
            ledger_hash(&mut [(a, 100), (b, 250)]),
            ledger_hash(&mut [(b, 250), (a, 100)])
        );
        assert_ne!(
            ledger_hash(&mut [(a, 100), (b, 250)]),
            ledger_hash(&mut [(a, 100), (b, 251)])
        );
    }
}
