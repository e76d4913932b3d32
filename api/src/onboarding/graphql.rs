//! Onboarding on the API: codes by text message, registration, forgotten passwords, desk
//! registration, staff accounts, disabling, and deleting one's own account.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::{codes, erasure, registration, staff};
use crate::{
    accounts::{Account, AuthPayload},
    auth::RoleGuard,
    catalog::service::town_by_code,
    entities::enums::{CodePurpose, Role},
    error::{AppError, AppResult},
    graphql::{Connection, connection, handle, parse_id, state, viewer},
    pagination::PageRequest,
    rankings::Boards,
    ratelimit::ClientIp,
    state::AppState,
};

async fn town_id(app: &AppState, code: Option<&str>) -> AppResult<Option<uuid::Uuid>> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => town_by_code(&app.db, code)
            .await
            .map(|t| Some(t.id))
            .map_err(|_| {
                AppError::bad_field(
                    "townCode",
                    format!("no town has the code {code}; pick one from towns"),
                )
            }),
        None => Ok(None),
    }
}

#[derive(SimpleObject)]
pub struct PhoneCodeSent {
    /// The phone, masked (138****5678).
    sent_to: String,
    /// How long the code works.
    expires_in_seconds: i32,
    /// How long until another code may be asked for this phone.
    resend_after_seconds: i32,
}

#[derive(InputObject)]
pub struct RegisterResidentInput {
    phone: String,
    /// The 6 digits from the text message (`requestPhoneCode` with purpose REGISTER).
    code: String,
    password: String,
    /// Your name as on your ID card: receipts and certificates carry it.
    name: String,
    /// Your town (`towns { code }`), optional.
    town_code: Option<String>,
    /// The `privacyPolicy.version` you were shown and agreed to.
    agreed_policy_version: String,
}

#[derive(InputObject)]
pub struct DeskRegistrationInput {
    phone: String,
    name: String,
    town_code: Option<String>,
    /// The `privacyPolicy.version` the resident was shown at the desk and agreed to.
    agreed_policy_version: String,
}

/// A resident registered (or found) at a desk.
#[derive(SimpleObject)]
pub struct DeskRegistrationResult {
    /// The resident's id.
    id: ID,
    name: String,
    /// The phone, masked.
    phone: String,
    /// The phone was registered already; nothing was changed.
    already_registered: bool,
    /// The resident has a login of their own.
    has_login: bool,
}

#[derive(InputObject)]
pub struct StaffAccountInput {
    phone: String,
    display_name: String,
    /// ORG_STAFF (give orgId), PARTNER_STAFF (give partnerId) or ADMIN.
    role: Role,
    org_id: Option<ID>,
    partner_id: Option<ID>,
}

/// The record of a deleted account: what remains is its id and when.
#[derive(SimpleObject)]
pub struct AccountErasure {
    id: ID,
    erased_at: DateTime<Utc>,
}

#[derive(Default)]
pub struct OnboardingQuery;

#[Object]
impl OnboardingQuery {
    /// Accounts: all for the bureau (filter by role, org, partner); charity staff see their
    /// own organisation's.
    #[graphql(
        guard = "RoleGuard::new(&[Role::Admin, Role::OrgStaff])",
        complexity = "crate::graphql::page_cost(first, child_complexity)"
    )]
    async fn accounts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        role: Option<Role>,
        org_id: Option<ID>,
        partner_id: Option<ID>,
    ) -> Result<Connection<Account>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let filter = staff::AccountFilter {
            role,
            org_id: org_id.map(|id| parse_id("orgId", &id)).transpose()?,
            partner_id: partner_id
                .map(|id| parse_id("partnerId", &id))
                .transpose()?,
        };
        let rows = staff::list(&state(ctx).db, viewer(ctx)?, filter, &page).await?;
        Ok(connection(rows, &page, |m| m.id.to_string(), Account))
    }
}

#[derive(Default)]
pub struct OnboardingMutation;

#[Object]
impl OnboardingMutation {
    /// Text a one-time code to a phone: REGISTER for a new resident, RESET_PASSWORD for a
    /// forgotten password or a staff account's first one. One a minute and ten a day per
    /// phone, thirty an hour per address (RATE_LIMITED with `retryAfter`). The answer is the
    /// same whether or not the phone has an account.
    async fn request_phone_code(
        &self,
        ctx: &Context<'_>,
        phone: String,
        purpose: CodePurpose,
    ) -> Result<PhoneCodeSent> {
        let phone = registration::parse_phone(&phone)?;
        let client = ctx.data_opt::<ClientIp>().and_then(|c| c.0);
        let sent = codes::send(state(ctx), &phone, purpose, client).await?;
        Ok(PhoneCodeSent {
            sent_to: sent.sent_to,
            expires_in_seconds: i32::try_from(sent.expires_in.as_secs()).unwrap_or(i32::MAX),
            resend_after_seconds: i32::try_from(sent.resend_after.as_secs()).unwrap_or(i32::MAX),
        })
    }

    /// Register as a resident with the code texted to your phone, and log in. A record a
    /// donation or a charity desk made for this phone becomes yours (no second one).
    async fn register_resident(
        &self,
        ctx: &Context<'_>,
        input: RegisterResidentInput,
    ) -> Result<AuthPayload> {
        let st = state(ctx);
        let phone = registration::parse_phone(&input.phone)?;
        let town_id = town_id(st, input.town_code.as_deref()).await?;
        let session = registration::register(
            st,
            registration::Registration {
                phone,
                code: input.code,
                password: input.password,
                name: input.name,
                town_id,
                agreed_policy_version: input.agreed_policy_version,
            },
        )
        .await?;
        Ok(session.into())
    }

    /// Set a new password with the code texted to your phone (RESET_PASSWORD). Every
    /// session of the account ends; log in with the new password.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        phone: String,
        code: String,
        new_password: String,
    ) -> Result<bool> {
        let phone = registration::parse_phone(&phone)?;
        registration::reset_password(state(ctx), &phone, &code, new_password).await?;
        Ok(true)
    }

    /// Charity staff register a resident in person, after showing the privacy notice. The
    /// resident is texted how to set a password (registering claims this record).
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn register_resident_at_desk(
        &self,
        ctx: &Context<'_>,
        input: DeskRegistrationInput,
    ) -> Result<DeskRegistrationResult> {
        let st = state(ctx);
        let phone = registration::parse_phone(&input.phone)?;
        let town_id = town_id(st, input.town_code.as_deref()).await?;
        let done = registration::register_at_desk(
            st,
            viewer(ctx)?,
            phone.clone(),
            &input.name,
            town_id,
            &input.agreed_policy_version,
        )
        .await?;
        Ok(DeskRegistrationResult {
            id: ID(done.resident.id.to_string()),
            name: done.resident.name,
            phone: phone.masked(),
            already_registered: done.already_registered,
            has_login: done.has_login,
        })
    }

    /// The bureau creates a staff login. It has no password: its holder sets one with
    /// `requestPhoneCode(purpose: RESET_PASSWORD)` and `resetPassword`, as the text they
    /// receive says.
    #[graphql(guard = "RoleGuard::new(&[Role::Admin])")]
    async fn create_staff_account(
        &self,
        ctx: &Context<'_>,
        input: StaffAccountInput,
    ) -> Result<Account> {
        let phone = registration::parse_phone(&input.phone)?;
        let account = staff::create_staff_account(
            state(ctx),
            viewer(ctx)?,
            staff::NewStaff {
                phone,
                display_name: input.display_name,
                role: input.role,
                org_id: input.org_id.map(|id| parse_id("orgId", &id)).transpose()?,
                partner_id: input
                    .partner_id
                    .map(|id| parse_id("partnerId", &id))
                    .transpose()?,
            },
        )
        .await?;
        Ok(Account(account))
    }

    /// Disable (or re-enable) an account. Disabling ends its sessions at once.
    #[graphql(guard = "RoleGuard::new(&[Role::Admin])")]
    async fn set_account_disabled(
        &self,
        ctx: &Context<'_>,
        account_id: ID,
        disabled: bool,
    ) -> Result<Account> {
        let account_id = parse_id("accountId", &account_id)?;
        let account =
            staff::set_account_disabled(state(ctx), viewer(ctx)?, account_id, disabled).await?;
        Ok(Account(account))
    }

    /// Delete your account (residents), confirmed with your password: name, phone and ID
    /// number are erased; your donations, hours and credits stay in the public ledger as
    /// 已注销用户 so published totals still add up. You are logged out everywhere.
    #[graphql(guard = "RoleGuard::new(&[Role::Resident])")]
    async fn delete_my_account(
        &self,
        ctx: &Context<'_>,
        password: String,
    ) -> Result<AccountErasure> {
        let erased =
            erasure::delete_my_account(state(ctx), handle::<Boards>(ctx), viewer(ctx)?, password)
                .await?;
        Ok(AccountErasure {
            id: ID(erased.account_id.to_string()),
            erased_at: erased.erased_at,
        })
    }
}
