//! A resident deleting their account (PIPL art. 47): name, phone and ID number are erased
//! and the login is closed for good; the donations, hours and credits stay in the ledger
//! under a pseudonym, so every published total still adds up.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    accounts::service::{self as accounts, NO_PASSWORD},
    auth::{Viewer, verify_password},
    entities::{
        account, donor,
        enums::{RedemptionStatus, Role},
        phone_code, redemption, resident,
    },
    error::{AppError, AppResult},
    rankings::Boards,
    state::AppState,
};

/// What an erased resident is called wherever the ledger still shows them.
pub const ERASED_NAME: &str = "已注销用户";

pub struct Erasure {
    pub account_id: Uuid,
    pub erased_at: DateTime<Utc>,
}

/// Erase the viewer's personal data, confirmed with their password.
#[tracing::instrument(skip_all)]
pub async fn delete_my_account(
    app: &AppState,
    boards: &Boards,
    viewer: &Viewer,
    password: String,
) -> AppResult<Erasure> {
    if viewer.role != Role::Resident {
        return Err(AppError::forbidden(
            "only a resident deletes their own account here; staff accounts are disabled by the bureau",
        ));
    }
    let resident_id = viewer.require_donor()?;
    let login = accounts::find(&app.db, viewer.account_id).await?;
    let stored = (login.password_hash != NO_PASSWORD).then(|| login.password_hash.clone());
    if !verify_password(password, stored).await? {
        return Err(AppError::bad_field(
            "password",
            "the password is wrong; enter your current password to confirm",
        ));
    }
    // Rewards waiting at a counter would hold their stock for a login that can never pick
    // them up: they are cancelled first (stock and credits return, as any cancellation).
    let pending = redemption::Entity::find()
        .filter(redemption::Column::DonorId.eq(resident_id))
        .filter(redemption::Column::Status.eq(RedemptionStatus::Pending))
        .all(&app.db.conn)
        .await?;
    for r in pending {
        crate::credits::rewards::cancel(&app.db, viewer, r.id).await?;
    }
    let now = Utc::now();
    let txn = app.db.begin_write().await?;
    let record = resident::Entity::find_by_id(resident_id)
        .one(&*txn)
        .await?
        .ok_or_else(|| AppError::not_found("resident"))?;
    // Unique placeholders keep the unique phone columns satisfied and match no real phone,
    // so the same phone can register again as a new person.
    resident::Entity::update_many()
        .col_expr(resident::Column::Name, Expr::value(ERASED_NAME))
        .col_expr(
            resident::Column::Phone,
            Expr::value(format!("erased:{resident_id}")),
        )
        .col_expr(
            resident::Column::IdNumber,
            Expr::value(Option::<String>::None),
        )
        .col_expr(resident::Column::NameConsent, Expr::value(false))
        .col_expr(
            resident::Column::ConsentWithdrawnAt,
            Expr::value(if record.name_consent {
                Some(now)
            } else {
                record.consent_withdrawn_at
            }),
        )
        .col_expr(resident::Column::ErasedAt, Expr::value(now))
        .filter(resident::Column::Id.eq(resident_id))
        .exec(&*txn)
        .await?;
    donor::Entity::update_many()
        .col_expr(donor::Column::DisplayName, Expr::value(ERASED_NAME))
        .filter(donor::Column::Id.eq(resident_id))
        .exec(&*txn)
        .await?;
    account::Entity::update_many()
        .col_expr(
            account::Column::Phone,
            Expr::value(format!("erased:{}", viewer.account_id)),
        )
        .col_expr(account::Column::DisplayName, Expr::value(ERASED_NAME))
        .col_expr(account::Column::PasswordHash, Expr::value(NO_PASSWORD))
        .col_expr(account::Column::Disabled, Expr::value(true))
        .col_expr(account::Column::PasswordChangedAt, Expr::value(now))
        .filter(account::Column::Id.eq(viewer.account_id))
        .exec(&*txn)
        .await?;
    accounts::revoke_refresh_tokens(&*txn, viewer.account_id, now).await?;
    phone_code::Entity::delete_many()
        .filter(phone_code::Column::Phone.eq(record.phone.as_str()))
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    app.sessions.forget(viewer.account_id);
    super::codes::forget_phone(app, &record.phone).await;
    // Boards resolve names when read; the bump keeps cached answers from outliving this.
    boards.changed().await;
    Ok(Erasure {
        account_id: viewer.account_id,
        erased_at: now,
    })
}
