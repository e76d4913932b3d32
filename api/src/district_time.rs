//! The district's clock: Dongtou keeps Asia/Shanghai time, and every period, day, rule date
//! and cut-off the programme speaks of is a local one.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// The district's time zone: periods, days and rule dates are all local.
pub const DISTRICT_TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

/// Midnight at the start of a local day, as an instant.
pub fn local_midnight(day: NaiveDate) -> DateTime<Utc> {
    DISTRICT_TZ
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight exists"))
        .single()
        .expect("Asia/Shanghai has no DST gaps")
        .with_timezone(&Utc)
}

/// The first instant after `day` in the district.
pub fn day_end(day: NaiveDate) -> DateTime<Utc> {
    local_midnight(day.succ_opt().unwrap_or(day))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_midnight_is_sixteen_hundred_utc_the_day_before() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(
            local_midnight(day).to_rfc3339(),
            "2025-12-31T16:00:00+00:00"
        );
    }

    #[test]
    fn a_day_ends_at_the_next_local_midnight() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(day_end(day).to_rfc3339(), "2026-01-01T16:00:00+00:00");
    }
}
