//! Volunteering's parsed inputs and pure rules: activity drafts, signed check-in codes,
//! attended and certified minutes.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// An activity lasts at most a day; longer service is several activities.
pub const MAX_ACTIVITY_MINUTES: i64 = 24 * 60;
pub const MAX_CAPACITY: i32 = 10_000;
/// Check-in opens this long before the start (volunteers arrive early to be briefed).
pub const CHECKIN_OPENS_BEFORE_MINUTES: i64 = 60;
/// Check-out stays open this long after the end.
pub const CHECKOUT_CLOSES_AFTER_MINUTES: i64 = 60;
/// Certified minutes default to the attended time rounded down to this step.
pub const CERTIFY_STEP_MINUTES: i32 = 30;
/// A resident may dispute certified hours for this many days.
pub const DISPUTE_WINDOW_DAYS: i64 = 7;

/// What staff type in for an activity, before it is checked.
#[derive(Clone, Debug, Serialize)]
pub struct ActivityInput {
    pub title: String,
    pub description: String,
    pub town_code: String,
    pub place: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i32,
    pub signup_deadline: DateTime<Utc>,
}

/// A checked activity: trimmed texts, whole-second times in order, a sane capacity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivityDraft {
    pub(super) title: String,
    pub(super) description: String,
    pub(super) town_code: String,
    pub(super) place: String,
    pub(super) starts_at: DateTime<Utc>,
    pub(super) ends_at: DateTime<Utc>,
    pub(super) capacity: i32,
    pub(super) signup_deadline: DateTime<Utc>,
}

fn text(field: &str, value: &str, min: usize, max: usize) -> AppResult<String> {
    let value = value.trim();
    let len = value.chars().count();
    if len < min || len > max {
        return Err(AppError::bad_field(
            field,
            if min > 0 {
                format!("{field} must be {min} to {max} characters")
            } else {
                format!("{field} may have at most {max} characters")
            },
        ));
    }
    Ok(value.to_owned())
}

/// Drop sub-second precision so an instant compares equal on both backends and in cursors.
pub fn whole_seconds(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::seconds(1)).unwrap_or(at)
}

impl ActivityDraft {
    pub fn parse(input: ActivityInput) -> AppResult<Self> {
        let starts_at = whole_seconds(input.starts_at);
        let ends_at = whole_seconds(input.ends_at);
        let signup_deadline = whole_seconds(input.signup_deadline);
        if ends_at <= starts_at {
            return Err(AppError::bad_field(
                "endsAt",
                "an activity ends after it starts",
            ));
        }
        if (ends_at - starts_at).num_minutes() > MAX_ACTIVITY_MINUTES {
            return Err(AppError::bad_field(
                "endsAt",
                "an activity lasts at most 24 hours; split longer service into several",
            ));
        }
        if signup_deadline > starts_at {
            return Err(AppError::bad_field(
                "signupDeadline",
                "sign-up closes at the latest when the activity starts",
            ));
        }
        if !(1..=MAX_CAPACITY).contains(&input.capacity) {
            return Err(AppError::bad_field(
                "capacity",
                format!("capacity is 1 to {MAX_CAPACITY} volunteers"),
            ));
        }
        Ok(Self {
            title: text("title", &input.title, 1, 100)?,
            description: text("description", &input.description, 0, 4000)?,
            town_code: input.town_code.trim().to_ascii_uppercase(),
            place: text("place", &input.place, 1, 200)?,
            starts_at,
            ends_at,
            capacity: input.capacity,
            signup_deadline,
        })
    }
}

/// A reason staff, residents or admins give: 1 to 500 characters.
pub fn reason(field: &str, value: &str) -> AppResult<String> {
    text(field, value, 1, 500)
}

/// The activity's length in whole minutes: the most that can ever be certified.
pub fn length_minutes(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> i32 {
    i32::try_from((ends_at - starts_at).num_minutes().max(0)).unwrap_or(i32::MAX)
}

/// Time actually spent inside the activity's window. No check-out counts until the end
/// (staff may shorten it with a reason); no check-in counts nothing.
pub fn attended_minutes(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    checked_in_at: Option<DateTime<Utc>>,
    checked_out_at: Option<DateTime<Utc>>,
) -> i32 {
    let Some(checked_in_at) = checked_in_at else {
        return 0;
    };
    let from = checked_in_at.max(starts_at);
    let to = checked_out_at.unwrap_or(ends_at).min(ends_at);
    i32::try_from((to - from).num_minutes().max(0)).unwrap_or(i32::MAX)
}

/// The default certification: attended time rounded down to the half hour.
pub fn default_minutes(attended: i32) -> i32 {
    attended.max(0) / CERTIFY_STEP_MINUTES * CERTIFY_STEP_MINUTES
}

/// The minutes to certify and the reason kept with them. Never above the activity's length;
/// any change from the default needs a reason.
pub fn certified_minutes(
    requested: Option<i32>,
    default: i32,
    length: i32,
    change_reason: Option<&str>,
) -> AppResult<(i32, Option<String>)> {
    let Some(minutes) = requested else {
        return Ok((default, None));
    };
    if minutes < 0 {
        return Err(AppError::bad_field("minutes", "minutes cannot be negative"));
    }
    if minutes > length {
        return Err(AppError::bad_field(
            "minutes",
            format!("at most the activity's length of {length} minutes can be certified"),
        ));
    }
    if minutes == default {
        return Ok((minutes, None));
    }
    let Some(text) = change_reason.filter(|r| !r.trim().is_empty()) else {
        return Err(AppError::bad_field(
            "reason",
            format!("a change from the default of {default} minutes needs a reason"),
        ));
    };
    Ok((minutes, Some(reason("reason", text)?)))
}

/// How an ADMIN closes a dispute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DisputeOutcome {
    /// The resident is right: the minutes change (and the credits with them).
    Upheld,
    /// The certification stands.
    Rejected,
}

/// Whether a punch records arrival or departure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Punch {
    In,
    Out,
}

/// The instants between which a punch may be dated.
pub fn punch_window(
    punch: Punch,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let (opens, closes) = code_window(starts_at, ends_at);
    match punch {
        Punch::In => (opens, ends_at),
        // Leaving before the start would record no time at all: nobody can mean it, and the
        // volunteer would lose the hours without a word.
        Punch::Out => (starts_at, closes),
    }
}

/// The instants during which an activity's check-in codes work (for arriving or leaving).
pub fn code_window(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    (
        starts_at - TimeDelta::minutes(CHECKIN_OPENS_BEFORE_MINUTES),
        ends_at + TimeDelta::minutes(CHECKOUT_CLOSES_AFTER_MINUTES),
    )
}

// ---------------------------------------------------------------------------------------
// Check-in codes
// ---------------------------------------------------------------------------------------

type HmacSha256 = Hmac<Sha256>;

const CODE_PREFIX: &str = "DTCK1";
/// A code may be submitted this long after it was shown: island venues lose signal, so a
/// phone may scan offline and send the code when it is back on the network.
pub const CODE_SUBMIT_HOURS: i64 = 24;
/// The staff screen asks for a fresh code this often, so a photo of it carries its time.
pub const CODE_ROTATE_SECS: i64 = 30;
/// Phone and server clocks drift; a code dated further ahead than this is refused.
const CLOCK_SKEW_SECS: i64 = 120;

/// The signed content of a check-in code: which activity, when it was shown, until when it
/// may be submitted. The time that counts is `issued_at`, never the time it arrives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckinCode {
    pub activity_id: Uuid,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("this is not a check-in code")]
    Malformed,
    #[error("this check-in code is not genuine")]
    Forged,
    #[error("this check-in code has expired: a code is accepted up to 24 hours after it was shown")]
    Expired,
    #[error("this check-in code is dated in the future; check the phone's clock")]
    FromTheFuture,
}

fn mac(secret: &str, body: &str) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(body.as_bytes());
    mac
}

impl CheckinCode {
    /// A code shown at `at`, submittable for the next 24 hours.
    pub fn issue(activity_id: Uuid, at: DateTime<Utc>) -> Self {
        let issued_at = whole_seconds(at);
        Self {
            activity_id,
            issued_at,
            expires_at: issued_at + TimeDelta::hours(CODE_SUBMIT_HOURS),
        }
    }

    /// The QR payload: `DTCK1.<base64url payload>.<base64url HMAC-SHA256>`.
    pub fn sign(&self, secret: &str) -> String {
        let payload = format!(
            "{}.{}.{}",
            self.activity_id.simple(),
            self.issued_at.timestamp(),
            self.expires_at.timestamp()
        );
        let body = format!("{CODE_PREFIX}.{}", URL_SAFE_NO_PAD.encode(payload));
        let tag = mac(secret, &body).finalize().into_bytes();
        format!("{body}.{}", URL_SAFE_NO_PAD.encode(tag))
    }

    /// The activity a code claims to be for, read before its signature can be checked with
    /// that activity's secret. Nothing read here is trusted until `verify` passes.
    pub fn claimed_activity(code: &str) -> Result<Uuid, CodeError> {
        Ok(split(code)?.1.activity_id)
    }

    /// Check the signature, then the dates against `now`.
    pub fn verify(code: &str, secret: &str, now: DateTime<Utc>) -> Result<Self, CodeError> {
        let (body, claimed, tag) = split(code)?;
        mac(secret, body)
            .verify_slice(&tag)
            .map_err(|_| CodeError::Forged)?;
        let limit = claimed
            .expires_at
            .min(claimed.issued_at + TimeDelta::hours(CODE_SUBMIT_HOURS));
        if now > limit {
            return Err(CodeError::Expired);
        }
        if claimed.issued_at > now + TimeDelta::seconds(CLOCK_SKEW_SECS) {
            return Err(CodeError::FromTheFuture);
        }
        Ok(claimed)
    }
}

fn split(code: &str) -> Result<(&str, CheckinCode, Vec<u8>), CodeError> {
    let code = code.trim();
    let (body, tag) = code.rsplit_once('.').ok_or(CodeError::Malformed)?;
    let payload = body
        .strip_prefix(CODE_PREFIX)
        .and_then(|rest| rest.strip_prefix('.'))
        .ok_or(CodeError::Malformed)?;
    let tag = URL_SAFE_NO_PAD
        .decode(tag)
        .map_err(|_| CodeError::Malformed)?;
    let payload = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or(CodeError::Malformed)?;
    let mut parts = payload.split('.');
    let (Some(id), Some(iat), Some(exp), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(CodeError::Malformed);
    };
    let instant = |s: &str| {
        s.parse::<i64>()
            .ok()
            .and_then(|secs| DateTime::from_timestamp(secs, 0))
            .ok_or(CodeError::Malformed)
    };
    let claimed = CheckinCode {
        activity_id: Uuid::parse_str(id).map_err(|_| CodeError::Malformed)?,
        issued_at: instant(iat)?,
        expires_at: instant(exp)?,
    };
    Ok((body, claimed, tag))
}

// ---------------------------------------------------------------------------------------
// Typed check-in codes
// ---------------------------------------------------------------------------------------

/// Letters and digits nobody misreads on a screen: no 0/O, 1/I/L.
const SHORT_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
pub const SHORT_CODE_LEN: usize = 6;
/// A typed code changes this often. Like the QR it carries its time: the window it was shown
/// in dates the punch, so one typed offline and sent later still counts right.
pub const SHORT_CODE_WINDOW_SECS: i64 = 300;

/// The short code staff show beside the QR: six characters derived from the activity's
/// secret and the current five-minute window (HMAC, so it cannot be predicted without the
/// secret). It is looked up only among the typing resident's own sign-ups, so it needs no
/// uniqueness across activities; guessing is bounded by the per-account attempt limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShortCode(String);

impl ShortCode {
    /// A typed code: case and spaces or dashes between groups do not matter.
    pub fn parse(text: &str) -> Option<Self> {
        let code: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        (code.len() == SHORT_CODE_LEN && code.bytes().all(|b| SHORT_ALPHABET.contains(&b)))
            .then_some(Self(code))
    }

    /// The code of `window` (see [`ShortCode::window_of`]) for an activity's secret.
    pub fn for_window(secret: &str, window: i64) -> Self {
        let tag = mac(secret, &format!("short.{window}"))
            .finalize()
            .into_bytes();
        let mut n = u64::from_be_bytes(tag[..8].try_into().expect("8 bytes"));
        let base = SHORT_ALPHABET.len() as u64;
        let code = (0..SHORT_CODE_LEN)
            .map(|_| {
                let c = SHORT_ALPHABET[(n % base) as usize] as char;
                n /= base;
                c
            })
            .collect();
        Self(code)
    }

    /// The number of the five-minute window holding `at`.
    pub fn window_of(at: DateTime<Utc>) -> i64 {
        at.timestamp().div_euclid(SHORT_CODE_WINDOW_SECS)
    }

    /// When `window` starts; it ends where the next one starts.
    pub fn window_start(window: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(window * SHORT_CODE_WINDOW_SECS, 0).unwrap_or_default()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new activity's secret for its check-in codes: 32 random bytes, hex.
pub fn new_checkin_secret() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 1, h, m, 0).unwrap()
    }

    fn input() -> ActivityInput {
        ActivityInput {
            title: " 海滩清洁 ".into(),
            description: "清理沙滩".into(),
            town_code: "dongping".into(),
            place: "半屏山沙滩".into(),
            starts_at: at(8, 30),
            ends_at: at(11, 30),
            capacity: 10,
            signup_deadline: at(8, 0),
        }
    }

    #[test]
    fn a_sound_activity_parses_and_is_trimmed() {
        let draft = ActivityDraft::parse(input()).unwrap();
        assert_eq!(draft.title, "海滩清洁");
        assert_eq!(draft.town_code, "DONGPING");
    }

    #[test]
    fn an_activity_that_ends_before_it_starts_or_closes_sign_up_late_is_refused() {
        let mut bad = input();
        bad.ends_at = at(8, 0);
        assert_eq!(
            ActivityDraft::parse(bad).unwrap_err().code(),
            "BAD_USER_INPUT"
        );
        let mut bad = input();
        bad.signup_deadline = at(9, 0);
        assert_eq!(
            ActivityDraft::parse(bad).unwrap_err().code(),
            "BAD_USER_INPUT"
        );
        let mut bad = input();
        bad.capacity = 0;
        assert_eq!(
            ActivityDraft::parse(bad).unwrap_err().code(),
            "BAD_USER_INPUT"
        );
        let mut bad = input();
        bad.ends_at = bad.starts_at + TimeDelta::hours(25);
        assert_eq!(
            ActivityDraft::parse(bad).unwrap_err().code(),
            "BAD_USER_INPUT"
        );
    }

    #[test]
    fn attended_time_is_clamped_to_the_activity_and_rounded_down_to_the_half_hour() {
        let (s, e) = (at(8, 30), at(11, 30));
        // Early arrival counts from the start; 08:30–11:16 is 166 minutes → 150.
        let attended = attended_minutes(s, e, Some(at(8, 10)), Some(at(11, 16)));
        assert_eq!(attended, 166);
        assert_eq!(default_minutes(attended), 150);
        // Never above the length, even if the check-out is late.
        assert_eq!(attended_minutes(s, e, Some(at(8, 0)), Some(at(12, 0))), 180);
        // No check-out: until the end. No check-in: nothing.
        assert_eq!(attended_minutes(s, e, Some(at(9, 0)), None), 150);
        assert_eq!(attended_minutes(s, e, None, None), 0);
        assert_eq!(default_minutes(29), 0);
    }

    #[test]
    fn certifying_above_the_length_or_changing_without_a_reason_is_refused() {
        assert_eq!(
            certified_minutes(None, 150, 180, None).unwrap(),
            (150, None)
        );
        assert_eq!(
            certified_minutes(Some(181,), 150, 180, Some("x"))
                .unwrap_err()
                .code(),
            "BAD_USER_INPUT"
        );
        assert_eq!(
            certified_minutes(Some(120), 150, 180, None)
                .unwrap_err()
                .code(),
            "BAD_USER_INPUT"
        );
        assert_eq!(
            certified_minutes(Some(120), 150, 180, Some("long break")).unwrap(),
            (120, Some("long break".into()))
        );
        assert_eq!(
            certified_minutes(Some(150), 150, 180, None).unwrap(),
            (150, None)
        );
        assert!(certified_minutes(Some(-1), 150, 180, Some("x")).is_err());
    }

    #[test]
    fn a_signed_code_verifies_and_keeps_its_signed_time() {
        let id = Uuid::now_v7();
        let code = CheckinCode::issue(id, at(9, 0));
        let text = code.sign("secret");
        let later = at(9, 0) + TimeDelta::hours(23);
        assert_eq!(CheckinCode::verify(&text, "secret", later).unwrap(), code);
        assert_eq!(CheckinCode::claimed_activity(&text).unwrap(), id);
    }

    #[test]
    fn a_typed_code_is_six_unambiguous_characters_that_change_every_five_minutes() {
        let w = ShortCode::window_of(at(9, 2));
        assert_eq!(ShortCode::window_start(w), at(9, 0));
        assert_eq!(ShortCode::window_of(at(9, 4)), w);
        assert_eq!(ShortCode::window_of(at(9, 5)), w + 1);
        let code = ShortCode::for_window("secret", w);
        assert_eq!(code.as_str().len(), SHORT_CODE_LEN);
        assert!(code.as_str().bytes().all(|b| SHORT_ALPHABET.contains(&b)));
        assert_eq!(code, ShortCode::for_window("secret", w));
        assert_ne!(code, ShortCode::for_window("secret", w + 1));
        assert_ne!(code, ShortCode::for_window("other", w));
    }

    #[test]
    fn a_typed_code_is_read_without_regard_to_case_spaces_or_dashes() {
        assert_eq!(
            ShortCode::parse(" abc-23 4 ").map(|c| c.0),
            Some("ABC234".into())
        );
        // 0, O, 1, I and L are never in a code; a signed QR payload is not a short code.
        assert_eq!(ShortCode::parse("ABC10O"), None);
        assert_eq!(ShortCode::parse("ABC23"), None);
        assert_eq!(ShortCode::parse("ABC2345"), None);
        assert_eq!(ShortCode::parse("DTCK1.abc.def"), None);
    }

    #[test]
    fn forged_tampered_expired_and_future_codes_are_refused() {
        let id = Uuid::now_v7();
        let text = CheckinCode::issue(id, at(9, 0)).sign("secret");
        let now = at(9, 1);
        assert_eq!(
            CheckinCode::verify(&text, "other", now),
            Err(CodeError::Forged)
        );
        // Move the signed time: the signature no longer matches.
        let moved = CheckinCode::issue(id, at(8, 0)).sign("attacker");
        let (body, _) = moved.rsplit_once('.').unwrap();
        let (_, tag) = text.rsplit_once('.').unwrap();
        assert_eq!(
            CheckinCode::verify(&format!("{body}.{tag}"), "secret", now),
            Err(CodeError::Forged)
        );
        assert_eq!(
            CheckinCode::verify(&text, "secret", at(9, 0) + TimeDelta::hours(25)),
            Err(CodeError::Expired)
        );
        assert_eq!(
            CheckinCode::verify(&text, "secret", at(8, 0)),
            Err(CodeError::FromTheFuture)
        );
        assert_eq!(
            CheckinCode::verify("hello", "secret", now),
            Err(CodeError::Malformed)
        );
        assert_eq!(
            CheckinCode::verify("DTCK1.!!.!!", "secret", now),
            Err(CodeError::Malformed)
        );
    }
}
