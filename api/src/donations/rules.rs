//! The refusals a donation can meet, each written once. The single path, the batch writer and
//! the import each look the references up in their own way (one statement, one lookup per
//! batch, one per file) and then ask the same questions here, so a refusal reads the same
//! whichever way the donation came in.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::{district_time::DISTRICT_TZ, error::AppError};

/// The project belongs to the organisation logging the donation (`project_org`: the
/// project's organisation, `None` when there is no such project).
pub fn project_of_org(project_org: Option<Uuid>, org_id: Uuid) -> Result<(), AppError> {
    if project_org == Some(org_id) {
        Ok(())
    } else {
        Err(AppError::bad_field(
            "projectId",
            "no such project in this charity organisation",
        ))
    }
}

/// The campaign exists (`dates`: its first and last day) and the donation falls on one of its
/// days, in the district's calendar.
pub fn within_campaign(
    dates: Option<(NaiveDate, NaiveDate)>,
    donated_at: DateTime<Utc>,
) -> Result<(), AppError> {
    let Some((starts_on, ends_on)) = dates else {
        return Err(AppError::bad_field("campaignId", "no such campaign"));
    };
    let day = donated_at.with_timezone(&DISTRICT_TZ).date_naive();
    if day < starts_on || day > ends_on {
        return Err(AppError::bad_field(
            "campaignId",
            "the donation date is outside the campaign's dates",
        ));
    }
    Ok(())
}

const RECEIPT_TAKEN: &str = "this receipt number is already used in this organisation";

/// A receipt number is used once per organisation.
pub fn receipt_taken() -> AppError {
    AppError::conflict(RECEIPT_TAKEN)
}

/// The insert's own refusal of a taken receipt (another writer got there first) reads the same.
pub fn receipt_taken_on_insert(err: sea_orm::DbErr) -> AppError {
    AppError::on_unique(err, RECEIPT_TAKEN)
}

/// The enterprise a donation names does not exist (or is not an enterprise).
pub fn no_such_enterprise() -> AppError {
    AppError::bad_field("donorEnterpriseId", "no such enterprise")
}

/// The name under which to register a resident nobody has by this phone, or the refusal when
/// the donation gives none.
pub fn name_to_register(name: Option<&str>) -> Result<&str, AppError> {
    name.map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            AppError::bad_field(
                "donorPhone",
                "no resident has this phone; give the donor's name to register them",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn a_donation_late_on_the_campaigns_last_local_day_is_within_it() {
        // 23:30 in Dongtou on 10 March is 15:30 UTC the same day.
        let at = DateTime::parse_from_rfc3339("2026-03-10T15:30:00Z")
            .unwrap()
            .to_utc();
        assert!(within_campaign(Some((day(1), day(10))), at).is_ok());
        // 00:30 on 11 March local is 16:30 UTC on 10 March: outside.
        let at = DateTime::parse_from_rfc3339("2026-03-10T16:30:00Z")
            .unwrap()
            .to_utc();
        let refused = within_campaign(Some((day(1), day(10))), at).unwrap_err();
        assert_eq!(refused.field(), Some("campaignId"));
    }

    #[test]
    fn a_resident_is_registered_only_under_a_name() {
        assert_eq!(name_to_register(Some(" 王芳 ")).unwrap(), "王芳");
        assert!(name_to_register(Some("  ")).is_err());
        assert!(name_to_register(None).is_err());
    }
}
