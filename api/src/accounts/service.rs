//! Logging in, rotating refresh tokens, logging out, and creating accounts.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::Expr,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::Phone;
use crate::{
    auth::{TokenKeys, Viewer, check_new_password, hash_password, verify_password},
    db::Db,
    entities::{account, enums::Role, refresh_token},
    error::{AppError, AppResult},
    state::AppState,
};

/// What a successful login or refresh hands back.
#[derive(Clone, Debug)]
pub struct Session {
    pub access_token: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
    pub account: account::Model,
}

pub fn viewer_of(account: &account::Model) -> Viewer {
    Viewer {
        account_id: account.id,
        role: account.role,
        org_id: account.org_id,
        partner_id: account.partner_id,
        donor_id: account.donor_id,
    }
}

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_refresh_secret() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// How many failed logins lock a phone out, and for how long.
#[derive(Clone, Copy, Debug)]
pub struct Lockout {
    pub max_failures: i64,
    pub duration: std::time::Duration,
}

fn failures_key(phone: &Phone) -> String {
    format!("login-failures:{}", phone.as_str())
}

/// Where attempts are counted while the shared cache is unreachable: this process alone, so
/// an outage loosens the bound to one window per replica instead of removing it.
static LOCAL_ATTEMPTS: std::sync::LazyLock<crate::cache::Cache> =
    std::sync::LazyLock::new(|| crate::cache::Cache::in_process("login"));

/// Reserve one password check for this phone, before it runs: the count goes up first and
/// is read back in the same step (Redis `INCR`, shared by every replica), so however many
/// guesses arrive at once, at most `max_failures` of them are ever checked per window.
async fn reserve_attempt(app: &AppState, key: &str, lockout: Lockout) -> AppResult<()> {
    let attempt = match app.cache.incr(key, lockout.duration).await {
        Ok(attempt) => attempt,
        Err(err) => {
            tracing::warn!(error = %err, "login throttle counted in this process only");
            LOCAL_ATTEMPTS
                .incr(key, lockout.duration)
                .await
                .map_err(AppError::internal)?
        }
    };
    if attempt > lockout.max_failures {
        return Err(AppError::RateLimited {
            retry_after_secs: lockout.duration.as_secs(),
        });
    }
    Ok(())
}

#[tracing::instrument(skip(app, password), fields(phone = %phone.masked()))]
pub async fn login(
    app: &AppState,
    lockout: Lockout,
    phone: &Phone,
    password: String,
) -> AppResult<Session> {
    let db = &app.db;
    let key = failures_key(phone);
    reserve_attempt(app, &key, lockout).await?;
    let account = account::Entity::find()
        .filter(account::Column::Phone.eq(phone.as_str()))
        .one(&db.conn)
        .await?;
    let hash = account
        .as_ref()
        .filter(|a| a.password_hash != NO_PASSWORD)
        .map(|a| a.password_hash.clone());
    let valid = verify_password(password, hash).await?;
    match account {
        Some(account) if valid && !account.disabled => {
            // The right password clears the count; a wrong one keeps its reservation.
            let _ = app.cache.del(&key).await;
            let _ = LOCAL_ATTEMPTS.del(&key).await;
            let refresh_ttl = Duration::days(app.settings.refresh_token_ttl_days);
            start_session(db, &app.keys, refresh_ttl, account, Uuid::now_v7()).await
        }
        // Same answer for unknown phone, wrong password and disabled account.
        _ => Err(AppError::WrongCredentials),
    }
}

/// Change the viewer's password: every refresh token dies, and access tokens issued before
/// now stop working (within seconds on other replicas).
#[tracing::instrument(skip(app, old_password, new_password))]
pub async fn change_password(
    app: &AppState,
    account_id: Uuid,
    old_password: String,
    new_password: String,
) -> AppResult<()> {
    let account = find(&app.db, account_id).await?;
    check_new_password(&new_password, Some(&old_password), &account.phone)
        .map_err(|reason| AppError::bad_field("newPassword", reason))?;
    let current = (account.password_hash != NO_PASSWORD).then(|| account.password_hash.clone());
    if !verify_password(old_password, current).await? {
        return Err(AppError::bad_field(
            "oldPassword",
            "the current password is wrong",
        ));
    }
    set_password(app, account_id, new_password).await
}

/// Store a new password (already checked against the rules) and end every session of the
/// account.
pub async fn set_password(app: &AppState, account_id: Uuid, new_password: String) -> AppResult<()> {
    let hash = hash_password(new_password).await?;
    let txn = app.db.begin_write().await?;
    // Tokens carry their issue time to the millisecond, so one issued before this moment is
    // refused and one issued by a login right after it works.
    let now = Utc::now();
    account::Entity::update_many()
        .col_expr(account::Column::PasswordHash, Expr::value(hash))
        .col_expr(account::Column::PasswordChangedAt, Expr::value(now))
        .filter(account::Column::Id.eq(account_id))
        .exec(&*txn)
        .await?;
    revoke_refresh_tokens(&*txn, account_id, now).await?;
    txn.commit().await?;
    app.sessions.forget(account_id);
    Ok(())
}

/// Every refresh token of the account stops working; access tokens are refused through the
/// session check, which the caller clears with `sessions.forget` after its commit.
pub async fn revoke_refresh_tokens(
    conn: &impl ConnectionTrait,
    account_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::AccountId.eq(account_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// A fresh session for an account that has just proved itself another way (registration).
pub async fn open_session(app: &AppState, account: account::Model) -> AppResult<Session> {
    let refresh_ttl = Duration::days(app.settings.refresh_token_ttl_days);
    start_session(&app.db, &app.keys, refresh_ttl, account, Uuid::now_v7()).await
}

async fn start_session(
    db: &Db,
    keys: &TokenKeys,
    refresh_ttl: Duration,
    account: account::Model,
    family_id: Uuid,
) -> AppResult<Session> {
    let now = Utc::now();
    let refresh_token = new_refresh_secret();
    let refresh_expires_at = now + refresh_ttl;
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account.id),
        family_id: Set(family_id),
        token_hash: Set(hash_token(&refresh_token)),
        issued_at: Set(now),
        expires_at: Set(refresh_expires_at),
        used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(&db.conn)
    .await?;
    let (access_token, access_expires_at) = keys.issue(&viewer_of(&account), now);
    Ok(Session {
        access_token,
        access_expires_at,
        refresh_token,
        refresh_expires_at,
        account,
    })
}

/// Trade a refresh token for a new pair. Each refresh token works once; presenting a used
/// one means it was stolen or replayed, so the whole family is revoked.
#[tracing::instrument(skip_all)]
pub async fn refresh(
    db: &Db,
    keys: &TokenKeys,
    refresh_ttl: Duration,
    token: &str,
) -> AppResult<Session> {
    let now = Utc::now();
    let Some(row) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash_token(token)))
        .one(&db.conn)
        .await?
    else {
        return Err(AppError::Unauthenticated);
    };
    if row.revoked_at.is_some() || row.expires_at <= now {
        return Err(AppError::Unauthenticated);
    }
    // Claim the token atomically: of two concurrent refreshes only one can set used_at.
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(row.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&db.conn)
        .await?;
    if claimed.rows_affected == 0 {
        revoke_family(&db.conn, row.family_id).await?;
        tracing::warn!(family = %row.family_id, "refresh token reused; family revoked");
        return Err(AppError::Unauthenticated);
    }
    let account = account::Entity::find_by_id(row.account_id)
        .one(&db.conn)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if account.disabled || account.password_changed_at > row.issued_at {
        return Err(AppError::Unauthenticated);
    }
    start_session(db, keys, refresh_ttl, account, row.family_id).await
}

/// Revoke the family the given refresh token belongs to. Unknown tokens are ignored, so
/// logging out twice is harmless.
pub async fn logout(db: &Db, token: &str) -> AppResult<()> {
    if let Some(row) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash_token(token)))
        .one(&db.conn)
        .await?
    {
        revoke_family(&db.conn, row.family_id).await?;
    }
    Ok(())
}

async fn revoke_family(conn: &impl ConnectionTrait, family_id: Uuid) -> AppResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn find(db: &Db, id: Uuid) -> AppResult<account::Model> {
    account::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::not_found("account"))
}

/// The stored hash of an account with no password yet (staff the bureau invited set theirs
/// with a code sent to their phone): no password matches it.
pub const NO_PASSWORD: &str = "!";

/// What a new account is for.
#[derive(Clone, Debug)]
pub struct NewAccount {
    pub phone: Phone,
    /// `None`: the account gets its password later, through a code sent to the phone.
    pub password: Option<String>,
    pub role: Role,
    pub display_name: String,
    pub org_id: Option<Uuid>,
    pub partner_id: Option<Uuid>,
    pub donor_id: Option<Uuid>,
}

#[tracing::instrument(skip(conn, new), fields(role = ?new.role))]
pub async fn create(conn: &impl ConnectionTrait, new: NewAccount) -> AppResult<account::Model> {
    if let Some(password) = &new.password {
        check_new_password(password, None, new.phone.as_str())
            .map_err(|reason| AppError::bad_field("password", reason))?;
    }
    let scope_ok = match new.role {
        Role::OrgStaff => new.org_id.is_some(),
        Role::PartnerStaff => new.partner_id.is_some(),
        Role::Resident | Role::Enterprise => new.donor_id.is_some(),
        Role::Admin => true,
    };
    if !scope_ok {
        return Err(AppError::bad_input(
            "staff need their org or partner, residents and enterprises their donor record",
        ));
    }
    let exists = account::Entity::find()
        .filter(account::Column::Phone.eq(new.phone.as_str()))
        .one(conn)
        .await?;
    if exists.is_some() {
        return Err(AppError::conflict(
            "an account with this phone already exists",
        ));
    }
    // Of two creations racing past the check above, the unique phone refuses the second.
    let now = Utc::now();
    let model = account::ActiveModel {
        id: Set(Uuid::now_v7()),
        phone: Set(new.phone.as_str().to_owned()),
        password_hash: Set(match new.password {
            Some(password) => hash_password(password).await?,
            None => NO_PASSWORD.to_owned(),
        }),
        role: Set(new.role),
        display_name: Set(new.display_name),
        org_id: Set(new.org_id),
        partner_id: Set(new.partner_id),
        donor_id: Set(new.donor_id),
        disabled: Set(false),
        password_changed_at: Set(now),
        created_at: Set(now),
    }
    .insert(conn)
    .await
    .map_err(|e| AppError::on_unique(e, "an account with this phone already exists"))?;
    Ok(model)
}
