//! The pure arithmetic of which donation's fen pays for which disbursement.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::money::Fen;

/// A donation that can still pay for something: what it gave minus what is already allocated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Available {
    pub donation_id: Uuid,
    pub donated_at: DateTime<Utc>,
    pub remaining_fen: i64,
}

/// Why an allocation cannot be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shortfall {
    /// The project has not this much left (of this kind, received by the date).
    Project { remaining_fen: i64 },
    /// A donation named by hand has not this much left, or cannot fund this at all.
    Donation {
        donation_id: Uuid,
        remaining_fen: i64,
    },
}

/// Oldest first: take each donation's remaining fen in order until `amount` is covered.
/// `available` must already be in (donated_at, id) order.
pub fn allocate_oldest_first(
    amount: i64,
    available: &[Available],
) -> Result<Vec<(Uuid, i64)>, Shortfall> {
    let total: i64 = available.iter().map(|a| a.remaining_fen.max(0)).sum();
    if total < amount {
        return Err(Shortfall::Project {
            remaining_fen: total,
        });
    }
    let mut left = amount;
    let mut slices = Vec::new();
    for a in available {
        if left == 0 {
            break;
        }
        let take = a.remaining_fen.min(left);
        if take > 0 {
            slices.push((a.donation_id, take));
            left -= take;
        }
    }
    Ok(slices)
}

/// By hand: each named donation must have at least its part left.
pub fn allocate_by_hand(
    parts: &[(Uuid, Fen)],
    available: &[Available],
) -> Result<Vec<(Uuid, i64)>, Shortfall> {
    parts
        .iter()
        .map(|(donation_id, part)| {
            let remaining = available
                .iter()
                .find(|a| a.donation_id == *donation_id)
                .map_or(0, |a| a.remaining_fen);
            if remaining < part.get() {
                Err(Shortfall::Donation {
                    donation_id: *donation_id,
                    remaining_fen: remaining,
                })
            } else {
                Ok((*donation_id, part.get()))
            }
        })
        .collect()
}

/// Units of a goods lot that leave with `taking` fen of its value, when `already` fen of it
/// were taken before. Proportional, rounded down at each step, so that by the time the whole
/// value is taken exactly the whole quantity has left.
pub fn goods_units_out(lot_quantity: i32, lot_value: i64, already: i64, taking: i64) -> i32 {
    if lot_value <= 0 || lot_quantity <= 0 {
        return 0;
    }
    let units_by = |value: i64| -> i128 {
        i128::from(value.clamp(0, lot_value)) * i128::from(lot_quantity) / i128::from(lot_value)
    };
    let out = units_by(already + taking) - units_by(already);
    i32::try_from(out).unwrap_or(0)
}
