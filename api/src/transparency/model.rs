//! Disbursement input as domain types, and the pure arithmetic of allocating disbursed fen
//! back to the donations that paid for them.

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use crate::{
    entities::enums::DonationKind,
    error::{AppError, AppResult},
    money::{Fen, MAX_SINGLE_AMOUNT},
};

/// Longest purpose text, e.g. "银龄助餐 第12批".
const MAX_PURPOSE_CHARS: usize = 200;
const MAX_DOCUMENT_REF_CHARS: usize = 100;
const MAX_BENEFICIARIES: i32 = 10_000_000;
/// A disbursement split by hand over more donations than this is a data-entry mistake.
pub const MAX_HAND_ALLOCATIONS: usize = 500;

/// How the disbursed fen are matched to donations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Allocation {
    /// Oldest confirmed donation first, within the project (the default).
    OldestFirst,
    /// Staff name each donation and how much of it this disbursement used.
    ByHand(Vec<(Uuid, Fen)>),
}

/// A disbursement as recorded by the org: what left which project, for what, for how many.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewDisbursement {
    pub project_id: Uuid,
    pub kind: DonationKind,
    /// Money paid out, or the appraised value of goods given out.
    pub amount: Fen,
    pub goods_description: Option<String>,
    pub goods_quantity: Option<i32>,
    pub purpose: String,
    pub disbursed_on: NaiveDate,
    /// How many people benefited; never who.
    pub beneficiaries: i32,
    /// The supporting document (voucher number, contract, sign-off sheet).
    pub document_ref: Option<String>,
    pub allocation: Allocation,
}

impl NewDisbursement {
    /// Trim the texts and refuse what no database check is needed to refuse.
    pub fn parse(mut self, today: NaiveDate) -> AppResult<Self> {
        if self.amount <= Fen::ZERO || self.amount > MAX_SINGLE_AMOUNT {
            return Err(AppError::bad_field(
                "amount",
                "amount must be above 0 and at most 100000000.00",
            ));
        }
        self.purpose = self.purpose.trim().to_owned();
        if self.purpose.is_empty() || self.purpose.chars().count() > MAX_PURPOSE_CHARS {
            return Err(AppError::bad_field(
                "purpose",
                "a purpose of 1 to 200 characters is required",
            ));
        }
        self.document_ref = self
            .document_ref
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty());
        if self
            .document_ref
            .as_ref()
            .is_some_and(|d| d.chars().count() > MAX_DOCUMENT_REF_CHARS)
        {
            return Err(AppError::bad_field(
                "documentRef",
                "a document reference is at most 100 characters",
            ));
        }
        if !(0..=MAX_BENEFICIARIES).contains(&self.beneficiaries) {
            return Err(AppError::bad_field(
                "beneficiaries",
                "beneficiaries is a count from 0 to 10000000",
            ));
        }
        if self.disbursed_on > today {
            return Err(AppError::bad_field(
                "disbursedOn",
                "a disbursement cannot be dated in the future",
            ));
        }
        if self.disbursed_on < NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date") {
            return Err(AppError::bad_field(
                "disbursedOn",
                "disbursedOn is before 2000",
            ));
        }
        match self.kind {
            DonationKind::Goods => {
                self.goods_description = self
                    .goods_description
                    .map(|d| d.trim().to_owned())
                    .filter(|d| !d.is_empty());
                if self
                    .goods_description
                    .as_ref()
                    .is_none_or(|d| d.chars().count() > 200)
                {
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
                        "a money disbursement has no goods description or quantity",
                    ));
                }
            }
        }
        if let Allocation::ByHand(parts) = &self.allocation {
            check_hand_split(self.amount, parts)?;
        }
        Ok(self)
    }
}

/// A split by hand names each donation once, with positive amounts adding up exactly.
fn check_hand_split(amount: Fen, parts: &[(Uuid, Fen)]) -> AppResult<()> {
    if parts.is_empty() || parts.len() > MAX_HAND_ALLOCATIONS {
        return Err(AppError::bad_field(
            "allocations",
            "allocate by hand to 1 to 500 donations",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    let mut total = 0i64;
    for (donation, part) in parts {
        if !seen.insert(donation) {
            return Err(AppError::bad_field(
                "allocations",
                "each donation may appear only once",
            ));
        }
        if *part <= Fen::ZERO {
            return Err(AppError::bad_field(
                "allocations",
                "every allocated amount must be above 0",
            ));
        }
        total = total.saturating_add(part.get());
    }
    if total != amount.get() {
        return Err(AppError::bad_field(
            "allocations",
            "the allocated amounts must add up to the disbursed amount",
        ));
    }
    Ok(())
}

/// A share in basis points (1/100 of a percent), rounded half up: 4000 = 40.00%.
pub fn share_basis_points(part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        return 0;
    }
    let scaled = i128::from(part) * 10_000;
    ((scaled * 2 + i128::from(whole)) / (2 * i128::from(whole))) as i64
}

/// Basis points as a percentage with two places: 4000 → "40.00".
pub fn format_basis_points(bp: i64) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let abs = bp.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// A question on a public-supervision item: 5 to 2000 characters.
pub fn parse_question(text: &str) -> AppResult<String> {
    let text = text.trim();
    let n = text.chars().count();
    if !(5..=2000).contains(&n) {
        return Err(AppError::bad_field(
            "question",
            "a question is 5 to 2000 characters",
        ));
    }
    Ok(text.to_owned())
}

/// An answer: 1 to 5000 characters.
pub fn parse_answer(text: &str) -> AppResult<String> {
    let text = text.trim();
    let n = text.chars().count();
    if !(1..=5000).contains(&n) {
        return Err(AppError::bad_field(
            "answer",
            "an answer is 1 to 5000 characters",
        ));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::funds::{
        Available, Shortfall, allocate_by_hand, allocate_oldest_first, goods_units_out,
    };
    use chrono::DateTime;

    fn avail(remaining: &[i64]) -> Vec<Available> {
        remaining
            .iter()
            .enumerate()
            .map(|(i, r)| Available {
                donation_id: Uuid::from_u128(i as u128 + 1),
                donated_at: DateTime::from_timestamp(1_700_000_000 + i as i64, 0).unwrap(),
                remaining_fen: *r,
            })
            .collect()
    }

    fn money(amount: i64) -> NewDisbursement {
        NewDisbursement {
            project_id: Uuid::now_v7(),
            kind: DonationKind::Money,
            amount: Fen::new(amount),
            goods_description: None,
            goods_quantity: None,
            purpose: " 银龄助餐 第12批 ".into(),
            disbursed_on: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            beneficiaries: 40,
            document_ref: Some("  ".into()),
            allocation: Allocation::OldestFirst,
        }
    }

    #[test]
    fn oldest_donations_pay_first_and_the_last_one_only_in_part() {
        let a = avail(&[300, 0, 500, 1000]);
        let slices = allocate_oldest_first(600, &a).unwrap();
        assert_eq!(
            slices,
            vec![(a[0].donation_id, 300), (a[2].donation_id, 300)]
        );
    }

    #[test]
    fn more_than_the_project_has_left_is_a_shortfall() {
        let a = avail(&[300, 200]);
        assert_eq!(
            allocate_oldest_first(501, &a),
            Err(Shortfall::Project { remaining_fen: 500 })
        );
        assert_eq!(allocate_oldest_first(500, &a).unwrap().len(), 2);
    }

    #[test]
    fn a_hand_split_never_takes_more_than_a_donation_has_left() {
        let a = avail(&[300, 200]);
        let ok = allocate_by_hand(&[(a[1].donation_id, Fen::new(200))], &a).unwrap();
        assert_eq!(ok, vec![(a[1].donation_id, 200)]);
        let too_much = allocate_by_hand(&[(a[1].donation_id, Fen::new(201))], &a);
        assert!(matches!(too_much, Err(Shortfall::Donation { .. })));
        let unknown = allocate_by_hand(&[(Uuid::now_v7(), Fen::new(1))], &a);
        assert!(matches!(
            unknown,
            Err(Shortfall::Donation {
                remaining_fen: 0,
                ..
            })
        ));
    }

    #[test]
    fn hand_splits_must_add_up_and_name_each_donation_once() {
        let d = Uuid::now_v7();
        let mut input = money(500);
        input.allocation = Allocation::ByHand(vec![(d, Fen::new(200)), (d, Fen::new(300))]);
        assert!(input.clone().parse(NaiveDate::MAX).is_err());
        input.allocation =
            Allocation::ByHand(vec![(d, Fen::new(200)), (Uuid::now_v7(), Fen::new(200))]);
        assert!(input.clone().parse(NaiveDate::MAX).is_err());
        input.allocation =
            Allocation::ByHand(vec![(d, Fen::new(200)), (Uuid::now_v7(), Fen::new(300))]);
        assert!(input.parse(NaiveDate::MAX).is_ok());
    }

    #[test]
    fn parsing_trims_texts_and_refuses_future_dates_and_goods_without_quantity() {
        let parsed = money(100).parse(NaiveDate::MAX).unwrap();
        assert_eq!(parsed.purpose, "银龄助餐 第12批");
        assert_eq!(parsed.document_ref, None);
        let today = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
        assert_eq!(
            money(100).parse(today).unwrap_err().code(),
            "BAD_USER_INPUT"
        );
        let mut goods = money(100);
        goods.kind = DonationKind::Goods;
        goods.goods_description = Some("大米".into());
        assert!(goods.clone().parse(NaiveDate::MAX).is_err());
        goods.goods_quantity = Some(10);
        assert!(goods.parse(NaiveDate::MAX).is_ok());
        assert!(money(0).parse(NaiveDate::MAX).is_err());
    }

    #[test]
    fn goods_units_leave_in_proportion_and_all_of_them_by_the_end() {
        // 7 units worth 1000 fen, taken in three uneven slices.
        let mut already = 0;
        let mut units = 0;
        for take in [333, 333, 334] {
            units += goods_units_out(7, 1000, already, take);
            already += take;
        }
        assert_eq!(units, 7);
        assert_eq!(goods_units_out(7, 1000, 0, 1000), 7);
        assert_eq!(goods_units_out(7, 1000, 0, 100), 0);
    }

    #[test]
    fn shares_round_half_up_to_basis_points() {
        assert_eq!(share_basis_points(20_000, 50_000), 4000);
        assert_eq!(format_basis_points(4000), "40.00");
        assert_eq!(share_basis_points(1, 3), 3333);
        assert_eq!(share_basis_points(2, 3), 6667);
        assert_eq!(share_basis_points(1, 0), 0);
    }

    proptest::proptest! {
        #[test]
        fn oldest_first_covers_exactly_and_never_overdraws(
            remaining in proptest::collection::vec(0i64..10_000, 0..30),
            amount in 1i64..100_000,
        ) {
            let a = avail(&remaining);
            match allocate_oldest_first(amount, &a) {
                Ok(slices) => {
                    proptest::prop_assert_eq!(slices.iter().map(|s| s.1).sum::<i64>(), amount);
                    for (id, fen) in slices {
                        let had = a.iter().find(|x| x.donation_id == id).unwrap().remaining_fen;
                        proptest::prop_assert!(fen > 0 && fen <= had);
                    }
                }
                Err(Shortfall::Project { remaining_fen }) => {
                    proptest::prop_assert!(remaining_fen < amount);
                }
                Err(other) => proptest::prop_assert!(false, "unexpected {:?}", other),
            }
        }

        #[test]
        fn goods_units_sum_to_the_lot_whatever_the_slices(
            quantity in 1i32..1000,
            cuts in proptest::collection::vec(1i64..500, 1..20),
        ) {
            let value: i64 = cuts.iter().sum();
            let mut already = 0;
            let mut units = 0;
            for take in cuts {
                let out = goods_units_out(quantity, value, already, take);
                proptest::prop_assert!(out >= 0);
                units += out;
                already += take;
            }
            proptest::prop_assert_eq!(units, quantity);
        }
    }
}
