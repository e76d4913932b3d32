//! Who may call each mutation: declared once, enforced for every request by the schema's
//! gate extension, and walked by the attack suite. A mutation missing here is refused.

use crate::entities::enums::Role;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not (logging in itself).
    Public,
    /// Any logged-in account; the service decides what it may touch.
    AnyAccount,
    /// Only these roles; the service still checks the org or partner.
    Roles(&'static [Role]),
}

const STAFF: Access = Access::Roles(&[Role::OrgStaff, Role::Admin]);
const DONORS: Access = Access::Roles(&[Role::Resident, Role::Enterprise]);
const ADMIN: Access = Access::Roles(&[Role::Admin]);
const RESIDENT: Access = Access::Roles(&[Role::Resident]);
const PARTNER: Access = Access::Roles(&[Role::PartnerStaff, Role::Admin]);

/// Mutations that hash or check a password (tens of milliseconds of CPU and memory each,
/// and a guess): a request carries at most one of them, unaliased and never in a batch.
pub const PASSWORD_FIELDS: &[&str] = &[
    "login",
    "changePassword",
    "createPartnerStaff",
    "registerResident",
    "resetPassword",
    "deleteMyAccount",
];

pub const MUTATIONS: &[(&str, Access)] = &[
    ("login", Access::Public),
    ("refreshToken", Access::Public),
    ("logout", Access::Public),
    ("changePassword", Access::AnyAccount),
    ("recordDonation", STAFF),
    ("voidDonation", STAFF),
    ("importDonations", STAFF),
    ("addCreditRule", ADMIN),
    ("setCreditTier", ADMIN),
    ("createReward", STAFF),
    ("restockReward", STAFF),
    ("redeemReward", DONORS),
    ("fulfilRedemption", STAFF),
    ("cancelRedemption", Access::AnyAccount),
    ("createActivity", STAFF),
    ("updateActivity", STAFF),
    ("publishActivity", STAFF),
    ("cancelActivity", STAFF),
    ("signUp", RESIDENT),
    ("cancelSignup", RESIDENT),
    ("checkIn", RESIDENT),
    ("checkOut", RESIDENT),
    ("checkInByPhone", STAFF),
    ("checkOutByPhone", STAFF),
    ("certifyHours", STAFF),
    ("certifyActivity", STAFF),
    ("disputeCertification", RESIDENT),
    ("resolveHourDispute", ADMIN),
    ("markNoticeRead", Access::AnyAccount),
    ("createPerkPartner", ADMIN),
    ("createPartnerStaff", ADMIN),
    ("createPerk", PARTNER),
    ("updatePerk", PARTNER),
    ("setPerkActive", PARTNER),
    ("claimPerk", RESIDENT),
    // Only the partner's own staff honour; the bureau has no counter to honour at.
    ("honourVoucher", Access::Roles(&[Role::PartnerStaff])),
    ("recordDisbursement", STAFF),
    ("askSupervisionQuestion", Access::AnyAccount),
    ("answerSupervisionQuestion", STAFF),
    ("postBroadcast", STAFF),
    ("publishBroadcast", ADMIN),
    ("hideBroadcast", ADMIN),
    ("setDistrictInputs", ADMIN),
    ("publishRankingEdition", ADMIN),
    ("createRankingRule", ADMIN),
    ("setPublicNameConsent", RESIDENT),
    ("setDonationVisibility", DONORS),
    ("issueMediaApiKey", ADMIN),
    ("revokeMediaApiKey", ADMIN),
    // Anyone may ask for a code and spend it: the code is the proof.
    ("requestPhoneCode", Access::Public),
    ("registerResident", Access::Public),
    ("resetPassword", Access::Public),
    ("registerResidentAtDesk", STAFF),
    ("createStaffAccount", ADMIN),
    ("setAccountDisabled", ADMIN),
    ("deleteMyAccount", RESIDENT),
    ("createCharityOrg", ADMIN),
    ("updateCharityOrg", ADMIN),
    ("createCharityProject", STAFF),
    ("updateCharityProject", STAFF),
    ("createCampaign", STAFF),
    ("updateCampaign", STAFF),
];

pub fn access_for(mutation: &str) -> Option<Access> {
    MUTATIONS
        .iter()
        .find(|(name, _)| *name == mutation)
        .map(|(_, access)| *access)
}

impl Access {
    /// Whether a caller with this role (None = anonymous) may call it.
    pub fn allows(self, role: Option<Role>) -> bool {
        match (self, role) {
            (Access::Public, _) => true,
            (Access::AnyAccount, Some(_)) => true,
            (Access::Roles(roles), Some(role)) => roles.contains(&role),
            (_, None) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_callers_reach_only_public_mutations() {
        assert!(Access::Public.allows(None));
        assert!(!Access::AnyAccount.allows(None));
        assert!(!STAFF.allows(None));
        assert!(!STAFF.allows(Some(Role::Resident)));
        assert!(STAFF.allows(Some(Role::OrgStaff)));
    }
}
