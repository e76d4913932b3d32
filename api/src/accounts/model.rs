//! Phone numbers and ID numbers, parsed once at the edge.

use std::fmt;

/// A mainland China mobile number, normalised to its 11 digits. Serialised as those digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Phone(String);

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("a phone number is 11 digits starting with 1 (e.g. 13800000001)")]
pub struct PhoneError;

impl Phone {
    /// Accepts `13800000001`, `138 0000 0001`, `138-0000-0001` and `+86 13800000001`.
    pub fn parse(text: &str) -> Result<Self, PhoneError> {
        let digits: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}'))
            .collect();
        let digits = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("0086"))
            .unwrap_or(&digits);
        let bytes = digits.as_bytes();
        let valid = bytes.len() == 11
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1])
            && bytes.iter().all(u8::is_ascii_digit);
        if valid {
            Ok(Self(digits.to_owned()))
        } else {
            Err(PhoneError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****0001`: what staff see when they look a resident up.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An 18-character resident identity card number (GB 11643) with a valid check digit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdNumber(String);

impl IdNumber {
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        let text = text.trim().to_ascii_uppercase();
        let bytes = text.as_bytes();
        if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
            return Err("an ID number is 17 digits and a check character");
        }
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        const CHECKS: &[u8; 11] = b"10X98765432";
        let sum: u32 = bytes[..17]
            .iter()
            .zip(WEIGHTS)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        if CHECKS[(sum % 11) as usize] != bytes[17] {
            return Err("the ID number's check character is wrong");
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `330322********1234`: enough for the person to recognise, nothing more.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_in_common_spellings_parse_to_eleven_digits() {
        for text in [
            "13800000001",
            "138 0000 0001",
            "138-0000-0001",
            "+86 13800000001",
        ] {
            assert_eq!(
                Phone::parse(text).unwrap().as_str(),
                "13800000001",
                "{text}"
            );
        }
    }

    #[test]
    fn things_that_are_not_mobile_numbers_are_refused() {
        for text in [
            "",
            "1380000000",
            "138000000012",
            "23800000001",
            "12800000001",
            "1380000000a",
            "０13800000001",
        ] {
            assert_eq!(Phone::parse(text), Err(PhoneError), "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_a_phone_or_an_error_never_a_panic(text in "\\PC{0,30}") {
            if let Ok(phone) = Phone::parse(&text) {
                proptest::prop_assert_eq!(phone.as_str().len(), 11);
                let _ = phone.masked();
            }
            if let Ok(id) = IdNumber::parse(&text) {
                let _ = id.masked();
            }
        }
    }

    #[test]
    fn masked_phones_hide_the_middle() {
        assert_eq!(Phone::parse("13800000001").unwrap().masked(), "138****0001");
    }

    #[test]
    fn id_numbers_need_the_right_check_character() {
        assert!(IdNumber::parse("11010519491231002X").is_ok());
        assert!(IdNumber::parse("110105194912310021").is_err());
        assert!(IdNumber::parse("11010519491231002").is_err());
        assert_eq!(
            IdNumber::parse("11010519491231002x").unwrap().masked(),
            "110105********002X"
        );
    }
}
