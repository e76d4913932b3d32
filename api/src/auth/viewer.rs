//! Who is asking: read from the bearer token once per request.

use uuid::Uuid;

use crate::{
    entities::enums::Role,
    error::{AppError, AppResult},
};

/// The authenticated account behind a request, with the org or partner it acts for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Viewer {
    pub account_id: Uuid,
    pub role: Role,
    pub org_id: Option<Uuid>,
    pub partner_id: Option<Uuid>,
    pub donor_id: Option<Uuid>,
}

/// What the request carried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    Anonymous,
    /// A token was sent but is forged, expired or revoked.
    Invalid,
    /// A genuine token whose session could not be checked (the database is unreachable):
    /// retryable, never "logged out".
    Unverifiable,
    Viewer(Viewer),
}

impl Auth {
    pub fn viewer(&self) -> AppResult<&Viewer> {
        match self {
            Auth::Viewer(viewer) => Ok(viewer),
            Auth::Anonymous | Auth::Invalid => Err(AppError::Unauthenticated),
            Auth::Unverifiable => Err(AppError::Unavailable(
                "the session could not be checked".into(),
            )),
        }
    }
}

impl Viewer {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// ADMIN, or staff of exactly this org.
    pub fn require_org(&self, org_id: Uuid) -> AppResult<()> {
        if self.is_admin() || (self.role == Role::OrgStaff && self.org_id == Some(org_id)) {
            Ok(())
        } else {
            Err(AppError::forbidden(
                "not allowed to act for this charity organisation",
            ))
        }
    }

    /// ADMIN, or staff of exactly this partner.
    pub fn require_partner(&self, partner_id: Uuid) -> AppResult<()> {
        if self.is_admin()
            || (self.role == Role::PartnerStaff && self.partner_id == Some(partner_id))
        {
            Ok(())
        } else {
            Err(AppError::forbidden(
                "not allowed to act for this perk partner",
            ))
        }
    }

    /// The donor (resident or enterprise) this account is, for its own credits.
    pub fn require_donor(&self) -> AppResult<Uuid> {
        self.donor_id
            .ok_or_else(|| AppError::forbidden("only residents and enterprises hold credits"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(org: Uuid) -> Viewer {
        Viewer {
            account_id: Uuid::now_v7(),
            role: Role::OrgStaff,
            org_id: Some(org),
            partner_id: None,
            donor_id: None,
        }
    }

    #[test]
    fn staff_act_only_for_their_own_org() {
        let (mine, other) = (Uuid::now_v7(), Uuid::now_v7());
        assert!(staff(mine).require_org(mine).is_ok());
        assert_eq!(
            staff(mine).require_org(other).unwrap_err().code(),
            "FORBIDDEN"
        );
    }

    #[test]
    fn anonymous_requests_are_unauthenticated() {
        assert_eq!(
            Auth::Anonymous.viewer().unwrap_err().code(),
            "UNAUTHENTICATED"
        );
        assert_eq!(
            Auth::Invalid.viewer().unwrap_err().code(),
            "UNAUTHENTICATED"
        );
    }
}
