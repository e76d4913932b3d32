//! Login, refresh, logout, and the account part of `me`.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::{Phone, service};
use crate::{
    auth::RoleGuard,
    catalog::{CharityOrg, PerkPartner, Town},
    entities::{self, account, enums::Role},
    error::AppError,
    graphql::{load_by_id, state, viewer},
};

/// A login: who it is, what it may do, and for which org or partner.
pub struct Account(pub account::Model);

#[Object]
impl Account {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Personal: only ever resolved for the account itself or an admin.
    async fn phone(&self) -> &str {
        &self.0.phone
    }
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    async fn role(&self) -> Role {
        self.0.role
    }
    /// A disabled account cannot log in; its sessions ended when it was disabled.
    async fn disabled(&self) -> bool {
        self.0.disabled
    }
    /// False until the holder sets a password (staff the bureau invited).
    async fn has_password(&self) -> bool {
        self.0.password_hash != service::NO_PASSWORD
    }
    /// The charity organisation an ORG_STAFF account acts for.
    async fn org(&self, ctx: &Context<'_>) -> Result<Option<CharityOrg>> {
        let Some(id) = self.0.org_id else {
            return Ok(None);
        };
        Ok(load_by_id::<entities::charity_org::Entity>(ctx, id)
            .await?
            .map(CharityOrg))
    }
    /// The alliance member a PARTNER_STAFF account acts for.
    async fn partner(&self, ctx: &Context<'_>) -> Result<Option<PerkPartner>> {
        let Some(id) = self.0.partner_id else {
            return Ok(None);
        };
        Ok(load_by_id::<entities::perk_partner::Entity>(ctx, id)
            .await?
            .map(PerkPartner))
    }
}

#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Bearer token for the `Authorization` header; short-lived.
    access_token: String,
    access_token_expires_at: DateTime<Utc>,
    /// Single-use: trade it for a new pair with `refreshToken` before it expires.
    refresh_token: String,
    refresh_token_expires_at: DateTime<Utc>,
    account: Account,
}

impl From<service::Session> for AuthPayload {
    fn from(s: service::Session) -> Self {
        Self {
            access_token: s.access_token,
            access_token_expires_at: s.access_expires_at,
            refresh_token: s.refresh_token,
            refresh_token_expires_at: s.refresh_expires_at,
            account: Account(s.account),
        }
    }
}

/// The logged-in account and, for a resident or enterprise, its own profile.
pub struct Me {
    account: account::Model,
}

#[Object]
impl Me {
    async fn account(&self) -> Account {
        Account(self.account.clone())
    }

    async fn resident(&self, ctx: &Context<'_>) -> Result<Option<ResidentProfile>> {
        if self.account.role != Role::Resident {
            return Ok(None);
        }
        let Some(donor_id) = self.account.donor_id else {
            return Ok(None);
        };
        let st = state(ctx);
        Ok(crate::catalog::service::resident_profile(&st.db, donor_id)
            .await?
            .map(|(resident, donor)| ResidentProfile { resident, donor }))
    }

    async fn enterprise(&self, ctx: &Context<'_>) -> Result<Option<EnterpriseProfile>> {
        if self.account.role != Role::Enterprise {
            return Ok(None);
        }
        let Some(donor_id) = self.account.donor_id else {
            return Ok(None);
        };
        let st = state(ctx);
        Ok(
            crate::catalog::service::enterprise_profile(&st.db, donor_id)
                .await?
                .map(|(enterprise, donor)| EnterpriseProfile { enterprise, donor }),
        )
    }
}

/// A resident's own view of themselves: personal data, visible only to them and admins.
pub struct ResidentProfile {
    resident: entities::resident::Model,
    donor: entities::donor::Model,
}

#[Object]
impl ResidentProfile {
    async fn id(&self) -> ID {
        ID(self.resident.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.resident.name
    }
    async fn phone(&self) -> &str {
        &self.resident.phone
    }
    /// The ID number with its middle hidden.
    async fn id_number_masked(&self) -> Option<String> {
        self.resident
            .id_number
            .as_deref()
            .and_then(|n| super::IdNumber::parse(n).ok())
            .map(|n| n.masked())
    }
    async fn town(&self, ctx: &Context<'_>) -> Result<Option<Town>> {
        let Some(id) = self.resident.town_id else {
            return Ok(None);
        };
        Ok(load_by_id::<entities::town::Entity>(ctx, id)
            .await?
            .map(Town))
    }
    /// Separate consent (PIPL art. 25) to appear by name on public boards.
    async fn public_name_consent(&self) -> bool {
        self.resident.name_consent
    }
    async fn name_style(&self) -> entities::enums::NameStyle {
        self.resident.name_style
    }
    async fn consent_given_at(&self) -> Option<DateTime<Utc>> {
        self.resident.consent_given_at
    }
    async fn consent_withdrawn_at(&self) -> Option<DateTime<Utc>> {
        self.resident.consent_withdrawn_at
    }
    /// The privacy notice version you agreed to (`privacyPolicy`), when, and whether it was
    /// at a charity's desk; null for records made before registration existed.
    async fn privacy_policy_version(&self) -> Option<&str> {
        self.resident.privacy_policy_version.as_deref()
    }
    async fn privacy_policy_agreed_at(&self) -> Option<DateTime<Utc>> {
        self.resident.privacy_policy_agreed_at
    }
    async fn registered_at_desk(&self) -> bool {
        self.resident.registered_by.is_some()
    }
    /// Spendable 慈善共富积分.
    async fn credit_balance(&self) -> i64 {
        self.donor.credit_balance
    }
    /// Cumulative confirmed donations: what decides the tier.
    async fn cumulative_donation(&self) -> crate::money::Fen {
        crate::money::Fen::new(self.donor.cumulative_donation_fen)
    }
}

/// An enterprise's own view of itself.
pub struct EnterpriseProfile {
    enterprise: entities::enterprise::Model,
    donor: entities::donor::Model,
}

#[Object]
impl EnterpriseProfile {
    async fn id(&self) -> ID {
        ID(self.enterprise.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.enterprise.name
    }
    async fn kind(&self) -> entities::enums::EnterpriseKind {
        self.enterprise.kind
    }
    async fn credit_code(&self) -> Option<&str> {
        self.enterprise.credit_code.as_deref()
    }
    async fn town(&self, ctx: &Context<'_>) -> Result<Option<Town>> {
        let Some(id) = self.enterprise.town_id else {
            return Ok(None);
        };
        Ok(load_by_id::<entities::town::Entity>(ctx, id)
            .await?
            .map(Town))
    }
    async fn credit_balance(&self) -> i64 {
        self.donor.credit_balance
    }
    async fn cumulative_donation(&self) -> crate::money::Fen {
        crate::money::Fen::new(self.donor.cumulative_donation_fen)
    }
}

#[derive(Default)]
pub struct AccountsQuery;

#[Object]
impl AccountsQuery {
    /// The logged-in account. UNAUTHENTICATED without a valid token.
    #[graphql(guard = "RoleGuard::any()")]
    async fn me(&self, ctx: &Context<'_>) -> Result<Me> {
        let viewer = viewer(ctx)?;
        let account = service::find(&state(ctx).db, viewer.account_id)
            .await
            .map_err(|e| match e {
                AppError::NotFound(_) => AppError::Unauthenticated,
                other => other,
            })?;
        Ok(Me { account })
    }
}

#[derive(Default)]
pub struct AccountsMutation;

#[Object]
impl AccountsMutation {
    /// Log in with phone and password.
    async fn login(
        &self,
        ctx: &Context<'_>,
        phone: String,
        password: String,
    ) -> Result<AuthPayload> {
        let st = state(ctx);
        let phone =
            Phone::parse(&phone).map_err(|e| AppError::bad_field("phone", e.to_string()))?;
        let lockout = service::Lockout {
            max_failures: st.settings.limits.login_max_failures,
            duration: std::time::Duration::from_secs(st.settings.limits.login_lockout_secs),
        };
        let session = service::login(st, lockout, &phone, password).await?;
        Ok(session.into())
    }

    /// Trade a refresh token for a new access and refresh token; the old one stops working.
    async fn refresh_token(&self, ctx: &Context<'_>, refresh_token: String) -> Result<AuthPayload> {
        let st = state(ctx);
        let session = service::refresh(
            &st.db,
            &st.keys,
            chrono::Duration::days(st.settings.refresh_token_ttl_days),
            &refresh_token,
        )
        .await?;
        Ok(session.into())
    }

    /// Change your password. Every session of the account ends, on every device.
    #[graphql(guard = "RoleGuard::any()")]
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        old_password: String,
        new_password: String,
    ) -> Result<bool> {
        let viewer = viewer(ctx)?;
        service::change_password(state(ctx), viewer.account_id, old_password, new_password).await?;
        Ok(true)
    }

    /// End the session the refresh token belongs to.
    async fn logout(&self, ctx: &Context<'_>, refresh_token: String) -> Result<bool> {
        service::logout(&state(ctx).db, &refresh_token).await?;
        Ok(true)
    }
}
