//! Residents getting in: registering with a code sent to their phone (claiming the record a
//! donation or a desk already made for that phone), setting a forgotten password the same
//! way, and being registered at a charity's desk.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{codes, policy};
use crate::{
    accounts::{
        Phone,
        residents::{self, PolicyAgreement},
        service::{self as accounts, NewAccount, Session},
    },
    auth::{Viewer, check_new_password},
    entities::{
        account, charity_org, donor,
        enums::{CodePurpose, Role},
        resident,
    },
    error::{AppError, AppResult},
    state::AppState,
    text::{TextKind, required},
};

pub fn parse_phone(phone: &str) -> AppResult<Phone> {
    Phone::parse(phone).map_err(|e| AppError::bad_field("phone", e.to_string()))
}

/// What a resident fills in to register.
pub struct Registration {
    pub phone: Phone,
    pub code: String,
    pub password: String,
    pub name: String,
    pub town_id: Option<Uuid>,
    pub agreed_policy_version: String,
}

/// Register a resident who proved the phone: the record a donation or a desk made for this
/// phone is claimed, not duplicated; a phone that already has a login is refused. Answers a
/// logged-in session.
#[tracing::instrument(skip_all, fields(phone = %registration.phone.masked()))]
pub async fn register(app: &AppState, registration: Registration) -> AppResult<Session> {
    let Registration {
        phone,
        code,
        password,
        name,
        town_id,
        agreed_policy_version,
    } = registration;
    // Everything the person typed is checked before the code is spent.
    let name = required("name", &name, TextKind::Name)?;
    check_new_password(&password, None, phone.as_str())
        .map_err(|reason| AppError::bad_field("password", reason))?;
    let version = policy::check_agreed(&agreed_policy_version)?;
    codes::consume(app, &phone, CodePurpose::Register, &code).await?;

    let txn = app.db.begin_write().await?;
    let has_login = account::Entity::find()
        .filter(account::Column::Phone.eq(phone.as_str()))
        .one(&*txn)
        .await?
        .is_some();
    if has_login {
        return Err(AppError::bad_field(
            "phone",
            "this phone is registered already: log in, or choose 忘记密码 to set a new password",
        ));
    }
    let now = Utc::now();
    let existing = resident::Entity::find()
        .filter(resident::Column::Phone.eq(phone.as_str()))
        .one(&*txn)
        .await?;
    let donor_id = match existing {
        Some(record) => {
            // The person proved the phone, so the record is theirs: their own spelling of the
            // name and their agreement replace what a donation or a desk wrote down.
            let id = record.id;
            let mut claimed: resident::ActiveModel = record.into();
            claimed.name = Set(name.clone());
            if town_id.is_some() {
                claimed.town_id = Set(town_id);
            }
            claimed.privacy_policy_version = Set(Some(version));
            claimed.privacy_policy_agreed_at = Set(Some(now));
            claimed.update(&*txn).await?;
            donor::Entity::update_many()
                .col_expr(
                    donor::Column::DisplayName,
                    sea_orm::sea_query::Expr::value(name.clone()),
                )
                .filter(donor::Column::Id.eq(id))
                .exec(&*txn)
                .await?;
            id
        }
        None => {
            residents::register(
                &*txn,
                &name,
                &phone,
                town_id,
                PolicyAgreement {
                    version: Some(version),
                    registered_by: None,
                },
            )
            .await?
            .id
        }
    };
    let account = accounts::create(
        &*txn,
        NewAccount {
            phone,
            password: Some(password),
            role: Role::Resident,
            display_name: name,
            org_id: None,
            partner_id: None,
            donor_id: Some(donor_id),
        },
    )
    .await?;
    txn.commit().await?;
    accounts::open_session(app, account).await
}

/// Set a new password with a code sent to the phone: a forgotten one, or the first one of an
/// account the bureau created. Every session of the account ends.
#[tracing::instrument(skip_all, fields(phone = %phone.masked()))]
pub async fn reset_password(
    app: &AppState,
    phone: &Phone,
    code: &str,
    new_password: String,
) -> AppResult<()> {
    check_new_password(&new_password, None, phone.as_str())
        .map_err(|reason| AppError::bad_field("newPassword", reason))?;
    codes::consume(app, phone, CodePurpose::ResetPassword, code).await?;
    let account = account::Entity::find()
        .filter(account::Column::Phone.eq(phone.as_str()))
        .one(&app.db.conn)
        .await?
        // A code is only ever issued to a phone with an account, so this is a race with an
        // erasure or a disabling.
        .filter(|a| !a.disabled)
        .ok_or_else(|| AppError::bad_field("phone", "no active account has this phone"))?;
    accounts::set_password(app, account.id, new_password).await
}

/// What a desk registration did.
pub struct DeskRegistration {
    pub resident: resident::Model,
    /// The phone was registered already (by a donation, a desk or the resident): nothing
    /// was changed.
    pub already_registered: bool,
    /// The resident has a login of their own.
    pub has_login: bool,
}

/// Staff register a resident in person, having shown them the privacy notice. The resident
/// gets a text telling them how to set a password of their own (registering with the same
/// phone claims this record).
#[tracing::instrument(skip_all, fields(phone = %phone.masked()))]
pub async fn register_at_desk(
    app: &AppState,
    viewer: &Viewer,
    phone: Phone,
    name: &str,
    town_id: Option<Uuid>,
    agreed_policy_version: &str,
) -> AppResult<DeskRegistration> {
    if !matches!(viewer.role, Role::OrgStaff | Role::Admin) {
        return Err(AppError::forbidden(
            "only charity staff register residents at a desk",
        ));
    }
    let name = required("name", name, TextKind::Name)?;
    let version = policy::check_agreed(agreed_policy_version)?;
    let txn = app.db.begin_write().await?;
    let existing = resident::Entity::find()
        .filter(resident::Column::Phone.eq(phone.as_str()))
        .one(&*txn)
        .await?;
    // A staff login on the same phone is not the resident's own.
    let has_login = account::Entity::find()
        .filter(account::Column::Phone.eq(phone.as_str()))
        .filter(account::Column::Role.eq(Role::Resident))
        .one(&*txn)
        .await?
        .is_some();
    if let Some(resident) = existing {
        return Ok(DeskRegistration {
            resident,
            already_registered: true,
            has_login,
        });
    }
    let donor = residents::register(
        &*txn,
        &name,
        &phone,
        town_id,
        PolicyAgreement {
            version: Some(version),
            registered_by: Some(viewer.account_id),
        },
    )
    .await?;
    let resident = resident::Entity::find_by_id(donor.id)
        .one(&*txn)
        .await?
        .ok_or_else(|| AppError::not_found("resident"))?;
    txn.commit().await?;
    let org = match viewer.org_id {
        Some(id) => charity_org::Entity::find_by_id(id)
            .one(&app.db.conn)
            .await?
            .map(|o| o.name),
        None => None,
    };
    let text = format!(
        "【洞头慈善】{name}，您已在{}登记为洞头慈善共富居民。打开洞头慈善共富，选择“注册”并输入本手机号，即可设置密码、查看积分。",
        org.as_deref().unwrap_or("洞头区民政局")
    );
    if let Err(err) = app.sms.send(phone.as_str(), &text).await {
        // The registration stands; the resident can still register from the app.
        tracing::warn!(error = %err, "desk registration invitation not sent");
    }
    Ok(DeskRegistration {
        resident,
        already_registered: false,
        has_login,
    })
}
