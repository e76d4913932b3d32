//! Donation input as domain types: parsed once, then trusted.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    accounts::Phone,
    entities::enums::{DonationChannel, DonationKind, FundingSource, Visibility},
    error::{AppError, AppResult},
    money::Fen,
};

/// A receipt number as printed by the org: 1–64 of `A-Z a-z 0-9 - _ /`, unique per org.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ReceiptNo(String);

impl ReceiptNo {
    pub fn parse(text: &str) -> AppResult<Self> {
        let text = text.trim();
        let ok = (1..=64).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'/'));
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(AppError::bad_field(
                "receiptNo",
                "a receipt number is 1 to 64 letters, digits, '-', '_' or '/'",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum DonorRef {
    /// A resident, found by phone; with a name, an unknown phone registers a new resident.
    Resident {
        phone: Phone,
        name: Option<String>,
    },
    Enterprise {
        id: Uuid,
    },
    /// An unnamed walk-in: counts for the project, earns nobody credits.
    WalkIn {
        name: Option<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewDonation {
    pub org_id: Uuid,
    pub project_id: Uuid,
    pub campaign_id: Option<Uuid>,
    pub donor: DonorRef,
    pub kind: DonationKind,
    /// Money given, or the appraised value of goods.
    pub amount: Fen,
    pub goods_description: Option<String>,
    pub goods_quantity: Option<i32>,
    pub channel: DonationChannel,
    pub funding_source: FundingSource,
    pub donated_at: DateTime<Utc>,
    pub receipt_no: ReceiptNo,
    pub visibility: Visibility,
}

impl NewDonation {
    /// Checks that need no database: goods carry what they are, dates are not in the future.
    pub fn check_shape(&self, now: DateTime<Utc>) -> AppResult<()> {
        if self.amount <= Fen::ZERO || self.amount > crate::money::MAX_SINGLE_AMOUNT {
            return Err(AppError::bad_field(
                "amount",
                "amount must be above 0 and at most 100000000.00",
            ));
        }
        match self.kind {
            DonationKind::Goods => {
                let described = self
                    .goods_description
                    .as_deref()
                    .is_some_and(|d| !d.trim().is_empty() && d.chars().count() <= 200);
                if !described {
                    return Err(AppError::bad_field(
                        "goodsDescription",
                        "goods need a description of at most 200 characters",
                    ));
                }
                if self.goods_quantity.is_none_or(|q| q <= 0) {
                    return Err(AppError::bad_field(
                        "goodsQuantity",
                        "goods need a quantity above 0",
                    ));
                }
            }
            DonationKind::Money => {
                if self.goods_description.is_some() || self.goods_quantity.is_some() {
                    return Err(AppError::bad_field(
                        "goodsDescription",
                        "a money donation has no goods description or quantity",
                    ));
                }
            }
        }
        if self.donated_at > now + chrono::Duration::minutes(5) {
            return Err(AppError::bad_field(
                "donatedAt",
                "a donation cannot be dated in the future",
            ));
        }
        if self.donated_at.timestamp() < 946_684_800 {
            return Err(AppError::bad_field("donatedAt", "donatedAt is before 2000"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(amount: i64) -> NewDonation {
        NewDonation {
            org_id: Uuid::now_v7(),
            project_id: Uuid::now_v7(),
            campaign_id: None,
            donor: DonorRef::WalkIn { name: None },
            kind: DonationKind::Money,
            amount: Fen::new(amount),
            goods_description: None,
            goods_quantity: None,
            channel: DonationChannel::Offline,
            funding_source: FundingSource::Public,
            donated_at: Utc::now(),
            receipt_no: ReceiptNo::parse("R-1").unwrap(),
            visibility: Visibility::Named,
        }
    }

    #[test]
    fn receipt_numbers_are_short_and_plain() {
        assert!(ReceiptNo::parse("CSZH-2025-000123").is_ok());
        assert!(ReceiptNo::parse("").is_err());
        assert!(ReceiptNo::parse("收据1").is_err());
        assert!(ReceiptNo::parse(&"A".repeat(65)).is_err());
    }

    proptest::proptest! {
        #[test]
        fn any_receipt_text_parses_or_fails_cleanly(text in "\\PC{0,80}") {
            if let Ok(r) = ReceiptNo::parse(&text) {
                proptest::prop_assert!(r.as_str().len() <= 64);
            }
            let _ = crate::idempotency::IdempotencyKey::parse(&text);
        }
    }

    #[test]
    fn goods_need_a_description_and_quantity() {
        let mut d = money(100);
        d.kind = DonationKind::Goods;
        assert_eq!(
            d.check_shape(Utc::now()).unwrap_err().code(),
            "BAD_USER_INPUT"
        );
        d.goods_description = Some("大米 50kg".into());
        d.goods_quantity = Some(2);
        assert!(d.check_shape(Utc::now()).is_ok());
    }

    #[test]
    fn future_dates_and_empty_amounts_are_refused() {
        let mut d = money(100);
        d.donated_at = Utc::now() + chrono::Duration::days(1);
        assert!(d.check_shape(Utc::now()).is_err());
        assert!(money(0).check_shape(Utc::now()).is_err());
    }
}
