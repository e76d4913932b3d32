//! A resident's record (the donor row and its personal details, one id), created by whoever
//! meets the person first: a donation by phone, a desk registration, or the resident.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use uuid::Uuid;

use super::Phone;
use crate::{
    entities::{
        donor,
        enums::{DonorKind, NameStyle},
        resident,
    },
    error::{AppError, AppResult},
};

/// Who agreed to the privacy policy, which version and through whom.
#[derive(Clone, Debug, Default)]
pub struct PolicyAgreement {
    pub version: Option<String>,
    /// The staff account that took the agreement at a desk.
    pub registered_by: Option<Uuid>,
}

pub async fn register(
    conn: &impl ConnectionTrait,
    name: &str,
    phone: &Phone,
    town_id: Option<Uuid>,
    agreement: PolicyAgreement,
) -> AppResult<donor::Model> {
    let now = Utc::now();
    let id = Uuid::now_v7();
    let d = donor::ActiveModel {
        id: Set(id),
        kind: Set(DonorKind::Resident),
        display_name: Set(name.to_owned()),
        town_id: Set(town_id),
        credit_balance: Set(0),
        cumulative_donation_fen: Set(0),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;
    let agreed_at = agreement.version.as_ref().map(|_| now);
    resident::ActiveModel {
        id: Set(id),
        name: Set(name.to_owned()),
        phone: Set(phone.as_str().to_owned()),
        id_number: Set(None),
        town_id: Set(town_id),
        name_consent: Set(false),
        name_style: Set(NameStyle::Masked),
        consent_given_at: Set(None),
        consent_withdrawn_at: Set(None),
        created_at: Set(now),
        privacy_policy_version: Set(agreement.version),
        privacy_policy_agreed_at: Set(agreed_at),
        registered_by: Set(agreement.registered_by),
        erased_at: Set(None),
    }
    .insert(conn)
    .await
    // Of two registrations of one phone racing, the unique phone refuses the second.
    .map_err(|e| {
        AppError::on_unique(
            e,
            "a resident with this phone was registered a moment ago; look the phone up again",
        )
    })?;
    Ok(d)
}
