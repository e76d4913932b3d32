//! The bureau's hand on logins: staff accounts for charity organisations, alliance partners
//! and the bureau itself, and disabling any account (its sessions end at once).

use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    accounts::{
        Phone,
        service::{self as accounts, NewAccount},
    },
    auth::Viewer,
    db::Db,
    entities::{account, charity_org, enums::Role, perk_partner},
    error::{AppError, AppResult},
    pagination::{self, Page, PageRequest},
    state::AppState,
    text::{TextKind, required},
};

/// A staff login to create; it has no password until its holder sets one with a code sent
/// to the phone (the bureau never knows it).
pub struct NewStaff {
    pub phone: Phone,
    pub display_name: String,
    pub role: Role,
    pub org_id: Option<Uuid>,
    pub partner_id: Option<Uuid>,
}

fn require_admin(viewer: &Viewer) -> AppResult<()> {
    if viewer.is_admin() {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "only the civil-affairs bureau manages accounts",
        ))
    }
}

#[tracing::instrument(skip_all, fields(role = ?new.role))]
pub async fn create_staff_account(
    app: &AppState,
    viewer: &Viewer,
    new: NewStaff,
) -> AppResult<account::Model> {
    require_admin(viewer)?;
    let display_name = required("displayName", &new.display_name, TextKind::Name)?;
    let db = &app.db;
    let workplace = match (new.role, new.org_id, new.partner_id) {
        (Role::OrgStaff, Some(org_id), None) => charity_org::Entity::find_by_id(org_id)
            .one(&db.conn)
            .await?
            .map(|o| o.name)
            .ok_or_else(|| AppError::bad_field("orgId", "no charity organisation has this id"))?,
        (Role::PartnerStaff, None, Some(partner_id)) => {
            perk_partner::Entity::find_by_id(partner_id)
                .one(&db.conn)
                .await?
                .map(|p| p.name)
                .ok_or_else(|| {
                    AppError::bad_field("partnerId", "no alliance partner has this id")
                })?
        }
        (Role::Admin, None, None) => "洞头区民政局".to_owned(),
        (Role::OrgStaff, ..) => {
            return Err(AppError::bad_field(
                "orgId",
                "charity staff need orgId (and no partnerId)",
            ));
        }
        (Role::PartnerStaff, ..) => {
            return Err(AppError::bad_field(
                "partnerId",
                "partner staff need partnerId (and no orgId)",
            ));
        }
        (Role::Admin, ..) => {
            return Err(AppError::bad_field(
                "role",
                "bureau accounts belong to no organisation or partner: leave orgId and partnerId out",
            ));
        }
        (Role::Resident | Role::Enterprise, ..) => {
            return Err(AppError::bad_field(
                "role",
                "staff accounts are ORG_STAFF, PARTNER_STAFF or ADMIN; residents register themselves",
            ));
        }
    };
    let phone = new.phone.clone();
    let txn = db.begin_write().await?;
    let account = accounts::create(
        &*txn,
        NewAccount {
            phone: new.phone,
            password: None,
            role: new.role,
            display_name,
            org_id: new.org_id,
            partner_id: new.partner_id,
            donor_id: None,
        },
    )
    .await
    .map_err(|e| match e {
        AppError::Conflict(_) => {
            AppError::bad_field("phone", "an account with this phone already exists")
        }
        other => other,
    })?;
    txn.commit().await?;
    let text = format!(
        "【洞头慈善】已为您开通{workplace}的洞头慈善共富工作账号。请在登录页选择“忘记密码”，用本手机号收取验证码并设置密码。"
    );
    if let Err(err) = app.sms.send(phone.as_str(), &text).await {
        // The account stands; its holder can still ask for a code from the login page.
        tracing::warn!(error = %err, "staff invitation not sent");
    }
    Ok(account)
}

/// Disable or re-enable an account. Disabling revokes every refresh token and this process
/// refuses its access tokens at once; other replicas within their session-cache time.
#[tracing::instrument(skip(app, viewer))]
pub async fn set_account_disabled(
    app: &AppState,
    viewer: &Viewer,
    account_id: Uuid,
    disabled: bool,
) -> AppResult<account::Model> {
    require_admin(viewer)?;
    if account_id == viewer.account_id && disabled {
        return Err(AppError::bad_field(
            "accountId",
            "you cannot disable your own account; ask another bureau administrator",
        ));
    }
    let txn = app.db.begin_write().await?;
    let current = account::Entity::find_by_id(account_id)
        .one(&*txn)
        .await?
        .ok_or_else(|| AppError::bad_field("accountId", "no account has this id"))?;
    let now = Utc::now();
    account::Entity::update_many()
        .col_expr(account::Column::Disabled, Expr::value(disabled))
        .filter(account::Column::Id.eq(account_id))
        .exec(&*txn)
        .await?;
    if disabled {
        accounts::revoke_refresh_tokens(&*txn, account_id, now).await?;
    }
    txn.commit().await?;
    app.sessions.forget(account_id);
    Ok(account::Model {
        disabled,
        ..current
    })
}

/// Which accounts to list.
#[derive(Default)]
pub struct AccountFilter {
    pub role: Option<Role>,
    pub org_id: Option<Uuid>,
    pub partner_id: Option<Uuid>,
}

/// Accounts, for the bureau; charity staff see their own organisation's.
pub async fn list(
    db: &Db,
    viewer: &Viewer,
    mut filter: AccountFilter,
    page: &PageRequest,
) -> AppResult<Page<account::Model>> {
    match viewer.role {
        Role::Admin => {}
        Role::OrgStaff => {
            if filter.org_id.is_some_and(|o| Some(o) != viewer.org_id) {
                return Err(AppError::forbidden(
                    "charity staff see only their own organisation's accounts",
                ));
            }
            filter.org_id = viewer.org_id;
        }
        _ => {
            return Err(AppError::forbidden(
                "only the bureau and charity staff list accounts",
            ));
        }
    }
    let mut select = account::Entity::find();
    if let Some(role) = filter.role {
        select = select.filter(account::Column::Role.eq(role));
    }
    if let Some(org_id) = filter.org_id {
        select = select.filter(account::Column::OrgId.eq(org_id));
    }
    if let Some(partner_id) = filter.partner_id {
        select = select.filter(account::Column::PartnerId.eq(partner_id));
    }
    pagination::by_id(&db.conn, select, page).await
}
