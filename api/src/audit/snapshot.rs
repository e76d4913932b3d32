//! The rows a mutation changes, read as JSON just before and just after it, so the audit log
//! shows what changed and not only what the client asked for.

use sea_orm::{EntityTrait, FromQueryResult, JsonValue, ModelTrait, Statement};
use uuid::Uuid;

use crate::{auth::Viewer, db::Db};

/// How to find the row a mutation acts on before it runs.
#[derive(Clone, Copy, Debug)]
pub enum Locate {
    /// A new row: there is nothing before; after, the row whose id the mutation returned.
    Created,
    /// `WHERE <column> = <argument>`.
    ByArgument {
        column: &'static str,
        argument: &'static str,
    },
    /// The caller's own resident record.
    OwnResident,
}

/// Which table each state-changing mutation writes, and how to find its row. Mutations not
/// listed (sessions, bulk imports, settings by key) keep their arguments and result only.
const TARGETS: &[(&str, &str, Locate)] = {
    use Locate::*;
    const fn by(column: &'static str, argument: &'static str) -> Locate {
        ByArgument { column, argument }
    }
    &[
        ("recordDonation", "donations", Created),
        ("voidDonation", "donations", by("id", "id")),
        ("setDonationVisibility", "donations", by("id", "donationId")),
        ("addCreditRule", "credit_rules", Created),
        ("createReward", "rewards", Created),
        ("restockReward", "rewards", by("id", "rewardId")),
        ("redeemReward", "redemptions", Created),
        (
            "fulfilRedemption",
            "redemptions",
            by("pickup_code", "pickupCode"),
        ),
        ("cancelRedemption", "redemptions", by("id", "id")),
        ("createActivity", "activities", Created),
        ("updateActivity", "activities", by("id", "id")),
        ("publishActivity", "activities", by("id", "id")),
        ("cancelActivity", "activities", by("id", "id")),
        ("signUp", "signups", Created),
        ("certifyHours", "hour_certifications", Created),
        (
            "disputeCertification",
            "hour_certifications",
            by("id", "certificationId"),
        ),
        (
            "resolveHourDispute",
            "hour_certifications",
            by("id", "certificationId"),
        ),
        ("markNoticeRead", "notices", by("id", "id")),
        ("createPerkPartner", "perk_partners", Created),
        ("createPartnerStaff", "accounts", Created),
        ("createPerk", "perks", Created),
        ("updatePerk", "perks", by("id", "id")),
        ("setPerkActive", "perks", by("id", "id")),
        ("claimPerk", "perk_vouchers", Created),
        ("honourVoucher", "perk_vouchers", by("code", "code")),
        ("recordDisbursement", "disbursements", Created),
        ("askSupervisionQuestion", "supervision_items", Created),
        (
            "answerSupervisionQuestion",
            "supervision_items",
            by("id", "id"),
        ),
        ("postBroadcast", "broadcasts", Created),
        ("publishBroadcast", "broadcasts", by("id", "id")),
        ("hideBroadcast", "broadcasts", by("id", "id")),
        ("setDistrictInputs", "district_inputs", by("year", "year")),
        ("publishRankingEdition", "ranking_editions", Created),
        ("createRankingRule", "ranking_rules", Created),
        ("setPublicNameConsent", "residents", OwnResident),
        ("issueMediaApiKey", "api_keys", Created),
        ("revokeMediaApiKey", "api_keys", by("id", "id")),
        ("registerResident", "accounts", Created),
        ("registerResidentAtDesk", "residents", Created),
        ("createStaffAccount", "accounts", Created),
        ("setAccountDisabled", "accounts", by("id", "accountId")),
        ("createCharityOrg", "charity_orgs", Created),
        ("updateCharityOrg", "charity_orgs", by("id", "id")),
        ("createCharityProject", "charity_projects", Created),
        ("updateCharityProject", "charity_projects", by("id", "id")),
        ("createCampaign", "campaigns", Created),
        ("updateCampaign", "campaigns", by("id", "id")),
    ]
};

/// Columns that never reach the audit log.
const SECRET_COLUMNS: &[&str] = &[
    "password_hash",
    "token_hash",
    "key_hash",
    "request_hash",
    "id_number",
];

pub fn target(mutation: &str) -> Option<(&'static str, Locate)> {
    TARGETS
        .iter()
        .find(|(name, _, _)| *name == mutation)
        .map(|(_, table, locate)| (*table, *locate))
}

/// A bound value for an argument: a UUID where it is one (so the primary-key index is used),
/// else the number or text as given.
fn bind(value: &serde_json::Value) -> Option<sea_orm::Value> {
    match value {
        serde_json::Value::String(s) => Some(match Uuid::parse_str(s) {
            Ok(id) => id.into(),
            Err(_) => s.clone().into(),
        }),
        serde_json::Value::Number(n) => n.as_i64().map(Into::into),
        _ => None,
    }
}

async fn row(db: &Db, table: &str, column: &str, value: sea_orm::Value) -> Option<JsonValue> {
    let backend = db.backend();
    let placeholder = match backend {
        sea_orm::DatabaseBackend::Postgres => "$1",
        _ => "?",
    };
    // Table and column names come from the constant table above, never from a request.
    let sql = format!("SELECT * FROM {table} WHERE {column} = {placeholder}");
    let statement = Statement::from_sql_and_values(backend, sql, [value]);
    match JsonValue::find_by_statement(statement).one(&db.conn).await {
        Ok(row) => row.map(redact),
        Err(e) => {
            tracing::warn!(error = %e, table, "audit snapshot unreadable");
            None
        }
    }
}

fn redact(mut row: JsonValue) -> JsonValue {
    if let Some(map) = row.as_object_mut() {
        for column in SECRET_COLUMNS {
            if let Some(v) = map.get_mut(*column)
                && !v.is_null()
            {
                *v = JsonValue::String("***".into());
            }
        }
    }
    row
}

/// A row the caller already holds, in the same form as [`row`] reads one: column names as
/// keys, enums as their stored strings, times in RFC 3339.
pub fn of_model<M: ModelTrait>(model: &M) -> JsonValue {
    use sea_orm::{Iden, Iterable, sea_query::Value};
    let columns = <<M::Entity as EntityTrait>::Column as Iterable>::iter();
    let map = columns
        .map(|column| {
            let value = match model.get(column) {
                Value::ChronoDateTimeUtc(Some(at)) => JsonValue::String(at.to_rfc3339()),
                Value::ChronoDate(Some(day)) => JsonValue::String(day.to_string()),
                other => sea_orm::sea_query::value::sea_value_to_json_value(&other),
            };
            (column.to_string(), value)
        })
        .collect();
    redact(JsonValue::Object(map))
}

/// The row as it is before the mutation runs (`None` for a new row, or when not found).
pub async fn before(
    db: &Db,
    table: &str,
    locate: Locate,
    arguments: &serde_json::Value,
    viewer: Option<&Viewer>,
) -> Option<JsonValue> {
    match locate {
        Locate::Created => None,
        Locate::ByArgument { column, argument } => {
            row(db, table, column, bind(arguments.get(argument)?)?).await
        }
        Locate::OwnResident => row(db, table, "id", viewer?.donor_id?.into()).await,
    }
}

/// The row as it is after the mutation: by the id it returned, else found as before.
pub async fn after(
    db: &Db,
    table: &str,
    locate: Locate,
    arguments: &serde_json::Value,
    viewer: Option<&Viewer>,
    result_id: Option<Uuid>,
) -> Option<JsonValue> {
    match result_id {
        Some(id) if !matches!(locate, Locate::OwnResident) => row(db, table, "id", id.into()).await,
        _ => before(db, table, locate, arguments, viewer).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_snapshot_target_is_a_declared_mutation() {
        for (name, _, _) in TARGETS {
            assert!(
                crate::auth::policy::access_for(name).is_some(),
                "{name} is not a mutation"
            );
        }
    }

    #[test]
    fn secret_columns_are_masked_and_nulls_kept() {
        let row =
            redact(serde_json::json!({ "password_hash": "x", "id_number": null, "name": "n" }));
        assert_eq!(row["password_hash"], "***");
        assert!(row["id_number"].is_null());
        assert_eq!(row["name"], "n");
    }
}
