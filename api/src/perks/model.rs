//! Perks' parsed inputs and pure rules: perk drafts, voucher codes, who qualifies, the
//! monthly quota period and masked names.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rand::Rng;
use serde::Serialize;

use crate::{
    district_time::{DISTRICT_TZ, local_midnight},
    error::{AppError, AppResult},
};

/// A voucher is valid for at most a week after it is claimed.
pub const MAX_VOUCHER_MINUTES: i32 = 7 * 24 * 60;
pub const MAX_MONTHLY_QUOTA: i32 = 1_000_000;

/// What partner staff type in for a perk.
#[derive(Clone, Debug, Serialize)]
pub struct PerkInput {
    pub title: String,
    pub description: String,
    pub min_baijiaxin_level: Option<i32>,
    pub min_tier_level: Option<i32>,
    pub monthly_quota: i32,
    pub voucher_valid_minutes: i32,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
}

/// A checked perk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PerkDraft {
    pub(super) title: String,
    pub(super) description: String,
    pub(super) min_baijiaxin_level: Option<i32>,
    pub(super) min_tier_level: Option<i32>,
    pub(super) monthly_quota: i32,
    pub(super) voucher_valid_minutes: i32,
    pub(super) valid_from: Option<DateTime<Utc>>,
    pub(super) valid_until: Option<DateTime<Utc>>,
}

fn text(field: &str, value: &str, min: usize, max: usize) -> AppResult<String> {
    let value = value.trim();
    let len = value.chars().count();
    if len < min || len > max {
        return Err(AppError::bad_field(
            field,
            format!("{field} must be {min} to {max} characters"),
        ));
    }
    Ok(value.to_owned())
}

impl PerkDraft {
    pub fn parse(input: PerkInput) -> AppResult<Self> {
        if let Some(level) = input.min_baijiaxin_level
            && !(1..=5).contains(&level)
        {
            return Err(AppError::bad_field(
                "minBaijiaxinLevel",
                "百家信 levels run from 1 to 5",
            ));
        }
        if let Some(level) = input.min_tier_level
            && !(1..=100).contains(&level)
        {
            return Err(AppError::bad_field(
                "minTierLevel",
                "a tier level is 1 or more",
            ));
        }
        if !(1..=MAX_MONTHLY_QUOTA).contains(&input.monthly_quota) {
            return Err(AppError::bad_field(
                "monthlyQuota",
                "the monthly quota is at least 1",
            ));
        }
        if !(1..=MAX_VOUCHER_MINUTES).contains(&input.voucher_valid_minutes) {
            return Err(AppError::bad_field(
                "voucherValidMinutes",
                format!("a voucher is valid for 1 to {MAX_VOUCHER_MINUTES} minutes"),
            ));
        }
        if let (Some(from), Some(until)) = (input.valid_from, input.valid_until)
            && until <= from
        {
            return Err(AppError::bad_field(
                "validUntil",
                "a perk ends after it starts",
            ));
        }
        Ok(Self {
            title: text("title", &input.title, 1, 100)?,
            description: text("description", &input.description, 1, 2000)?,
            min_baijiaxin_level: input.min_baijiaxin_level,
            min_tier_level: input.min_tier_level,
            monthly_quota: input.monthly_quota,
            voucher_valid_minutes: input.voucher_valid_minutes,
            valid_from: input.valid_from,
            valid_until: input.valid_until,
        })
    }
}

/// Who qualifies: a perk with no requirement is for every resident; otherwise reaching
/// either the 百家信 level or the tier is enough (a tier is an alternative route to the same
/// perk, as the tier benefits list it).
pub fn qualifies(
    min_baijiaxin_level: Option<i32>,
    min_tier_level: Option<i32>,
    baijiaxin_level: i32,
    tier_level: Option<i32>,
) -> bool {
    match (min_baijiaxin_level, min_tier_level) {
        (None, None) => true,
        (b, t) => {
            b.is_some_and(|min| baijiaxin_level >= min)
                || t.is_some_and(|min| tier_level.is_some_and(|l| l >= min))
        }
    }
}

/// The requirement in words, for the app.
pub fn requirement_text(min_baijiaxin_level: Option<i32>, min_tier_level: Option<i32>) -> String {
    match (min_baijiaxin_level, min_tier_level) {
        (None, None) => "所有居民".into(),
        (Some(b), None) => format!("百家信{b}级及以上"),
        (None, Some(t)) => format!("捐赠档次{t}级及以上"),
        (Some(b), Some(t)) => format!("百家信{b}级及以上，或捐赠档次{t}级及以上"),
    }
}

/// Voucher codes: 12 characters from 31 that cannot be mistaken for each other (no 0/O,
/// 1/I/L), so 31^12 ≈ 2^59 possibilities: unguessable, and easy to read out at a counter.
pub const VOUCHER_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
pub const VOUCHER_CODE_LEN: usize = 12;

pub fn new_voucher_code() -> String {
    let mut rng = rand::rng();
    (0..VOUCHER_CODE_LEN)
        .map(|_| VOUCHER_ALPHABET[rng.random_range(0..VOUCHER_ALPHABET.len())] as char)
        .collect()
}

/// A code as typed at the counter: case, spaces and dashes do not matter.
pub fn parse_voucher_code(text: &str) -> AppResult<String> {
    let code: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if code.len() == VOUCHER_CODE_LEN && code.bytes().all(|b| VOUCHER_ALPHABET.contains(&b)) {
        Ok(code)
    } else {
        Err(AppError::bad_field("code", "this is not a voucher code"))
    }
}

/// Where a voucher stands as seen now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoucherState {
    Issued,
    Honoured,
    Expired,
}

pub fn voucher_state(
    honoured: bool,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> VoucherState {
    if honoured {
        VoucherState::Honoured
    } else if now >= expires_at {
        VoucherState::Expired
    } else {
        VoucherState::Issued
    }
}

/// The start of the calendar month (district time) holding `now`: quotas reset then.
pub fn month_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&DISTRICT_TZ).date_naive();
    local_midnight(
        NaiveDate::from_ymd_opt(local.year(), local.month(), 1).expect("the first of a month"),
    )
}

pub use crate::privacy::mask_name;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn input() -> PerkInput {
        PerkInput {
            title: "免费停车".into(),
            description: "出场时出示礼遇券".into(),
            min_baijiaxin_level: Some(2),
            min_tier_level: None,
            monthly_quota: 10,
            voucher_valid_minutes: 15,
            valid_from: None,
            valid_until: None,
        }
    }

    #[test]
    fn a_sound_perk_parses_and_bad_numbers_are_refused() {
        assert!(PerkDraft::parse(input()).is_ok());
        for bad in [
            PerkInput {
                min_baijiaxin_level: Some(6),
                ..input()
            },
            PerkInput {
                monthly_quota: 0,
                ..input()
            },
            PerkInput {
                voucher_valid_minutes: 0,
                ..input()
            },
            PerkInput {
                title: " ".into(),
                ..input()
            },
        ] {
            assert_eq!(PerkDraft::parse(bad).unwrap_err().code(), "BAD_USER_INPUT");
        }
    }

    #[test]
    fn either_requirement_qualifies_and_none_means_everyone() {
        assert!(qualifies(None, None, 1, None));
        assert!(qualifies(Some(2), None, 2, None));
        assert!(!qualifies(Some(2), None, 1, Some(4)));
        assert!(qualifies(None, Some(1), 1, Some(1)));
        assert!(!qualifies(None, Some(1), 5, None));
        assert!(qualifies(Some(3), Some(2), 1, Some(2)));
        assert!(qualifies(Some(3), Some(2), 3, None));
        assert!(!qualifies(Some(3), Some(2), 2, Some(1)));
    }

    #[test]
    fn voucher_codes_are_twelve_unambiguous_characters_and_parse_leniently() {
        let code = new_voucher_code();
        assert_eq!(code.len(), 12);
        assert!(!code.contains(['0', 'O', '1', 'I', 'L']));
        let typed = format!("{}-{} {}", &code[..4], &code[4..8], &code[8..]).to_lowercase();
        assert_eq!(parse_voucher_code(&typed).unwrap(), code);
        assert!(parse_voucher_code("ABC").is_err());
        assert!(parse_voucher_code("O0O0O0O0O0O0").is_err());
        assert_ne!(new_voucher_code(), new_voucher_code());
    }

    #[test]
    fn an_unhonoured_voucher_expires_at_its_time() {
        let t = Utc.with_ymd_and_hms(2026, 5, 1, 8, 0, 0).unwrap();
        assert_eq!(
            voucher_state(false, t, t - chrono::TimeDelta::seconds(1)),
            VoucherState::Issued
        );
        assert_eq!(voucher_state(false, t, t), VoucherState::Expired);
        assert_eq!(voucher_state(true, t, t), VoucherState::Honoured);
    }

    #[test]
    fn the_month_starts_at_local_midnight_on_the_first() {
        // 2026-06-30 17:00 UTC is already 1 July in Dongtou.
        let now = Utc.with_ymd_and_hms(2026, 6, 30, 17, 0, 0).unwrap();
        assert_eq!(
            month_start(now),
            Utc.with_ymd_and_hms(2026, 6, 30, 16, 0, 0).unwrap()
        );
    }

    #[test]
    fn names_are_masked_in_the_middle() {
        assert_eq!(mask_name("陈晓明"), "陈*明");
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳春华"), "欧**华");
        assert_eq!(mask_name("李"), "*");
    }
}
