//! Fen: money as an integer number of fen, parsed from and printed as yuan with two places.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An amount of money in fen (1 yuan = 100 fen). Never a float.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(i64);

/// The largest single amount the system accepts: 100 million yuan.
pub const MAX_SINGLE_AMOUNT: Fen = Fen(10_000_000_000);

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount must look like 1234.50 (yuan, at most two decimal places)")]
    Malformed,
    #[error("amount is too large")]
    TooLarge,
    #[error("amount must be above zero")]
    NotPositive,
}

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub const fn new(fen: i64) -> Self {
        Self(fen)
    }

    pub const fn get(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }

    pub fn checked_sub(self, other: Fen) -> Option<Fen> {
        self.0.checked_sub(other.0).map(Fen)
    }

    /// Parse a yuan amount such as `"1234.50"`, `"1234.5"`, `"1234"` or `"-3.20"`.
    pub fn parse_yuan(text: &str) -> Result<Fen, MoneyError> {
        let text = text.trim().replace(',', "");
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(&text)),
        };
        let (whole, frac) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(frac) || frac.len() > 2 {
            return Err(MoneyError::Malformed);
        }
        if whole.len() > 15 {
            return Err(MoneyError::TooLarge);
        }
        let whole: i64 = whole.parse().map_err(|_| MoneyError::Malformed)?;
        let frac: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| MoneyError::Malformed)? * 10,
            _ => frac.parse().map_err(|_| MoneyError::Malformed)?,
        };
        let fen = whole
            .checked_mul(100)
            .and_then(|f| f.checked_add(frac))
            .ok_or(MoneyError::TooLarge)?;
        Ok(Fen(if negative { -fen } else { fen }))
    }

    /// A donation or disbursement amount: above zero and below the sane ceiling.
    pub fn parse_amount(text: &str) -> Result<Fen, MoneyError> {
        let fen = Self::parse_yuan(text)?;
        if fen.0 <= 0 {
            return Err(MoneyError::NotPositive);
        }
        if fen > MAX_SINGLE_AMOUNT {
            return Err(MoneyError::TooLarge);
        }
        Ok(fen)
    }
}

impl fmt::Display for Fen {
    /// Yuan with two places: `1234.50`, `-0.05`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl std::iter::Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        Fen(iter.map(|f| f.0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_strings_parse_to_exact_fen() {
        assert_eq!(Fen::parse_yuan("1234.50"), Ok(Fen(123_450)));
        assert_eq!(Fen::parse_yuan("1234.5"), Ok(Fen(123_450)));
        assert_eq!(Fen::parse_yuan("1234"), Ok(Fen(123_400)));
        assert_eq!(Fen::parse_yuan("0.01"), Ok(Fen(1)));
        assert_eq!(Fen::parse_yuan("-3.20"), Ok(Fen(-320)));
        assert_eq!(Fen::parse_yuan(" 1,000.00 "), Ok(Fen(100_000)));
    }

    #[test]
    fn malformed_amounts_are_refused() {
        for bad in [
            "", ".5", "1.234", "1e3", "abc", "1.2.3", "--1", "NaN", "１２",
        ] {
            assert_eq!(Fen::parse_yuan(bad), Err(MoneyError::Malformed), "{bad}");
        }
        assert_eq!(
            Fen::parse_yuan("99999999999999999999"),
            Err(MoneyError::TooLarge)
        );
    }

    #[test]
    fn amounts_must_be_positive_and_sane() {
        assert_eq!(Fen::parse_amount("0"), Err(MoneyError::NotPositive));
        assert_eq!(Fen::parse_amount("-1"), Err(MoneyError::NotPositive));
        assert_eq!(Fen::parse_amount("100000000.01"), Err(MoneyError::TooLarge));
        assert_eq!(Fen::parse_amount("100000000.00"), Ok(MAX_SINGLE_AMOUNT));
    }

    #[test]
    fn fen_prints_as_yuan_with_two_places() {
        assert_eq!(Fen(123_450).to_string(), "1234.50");
        assert_eq!(Fen(5).to_string(), "0.05");
        assert_eq!(Fen(-5).to_string(), "-0.05");
        assert_eq!(Fen(0).to_string(), "0.00");
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_or_fails_without_panicking(text in "\\PC{0,40}") {
            let _ = Fen::parse_yuan(&text);
            let _ = Fen::parse_amount(&text);
        }

        #[test]
        fn every_amount_round_trips(fen in -10_000_000_000_000i64..10_000_000_000_000i64) {
            proptest::prop_assert_eq!(Fen::parse_yuan(&Fen::new(fen).to_string()), Ok(Fen::new(fen)));
        }
    }

    #[test]
    fn printing_then_parsing_round_trips() {
        for fen in [0, 1, 99, 100, 123_456_789, -42] {
            assert_eq!(Fen::parse_yuan(&Fen(fen).to_string()), Ok(Fen(fen)));
        }
    }
}
