//! Free text typed by people (names, titles, reasons, questions, stories): trimmed, bounded
//! by a documented length, and free of control characters, which break exports, terminals
//! and PostgreSQL (NUL) and have no place in anything a person writes.

use crate::error::{AppError, AppResult};

/// What a piece of text is, and so how long it may be (README "Limits" lists them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextKind {
    /// A person's, organisation's or partner's name.
    Name,
    /// A title or short label: an activity, a reward, a perk, a place.
    Title,
    /// One line of explanation: a reason, a note, a purpose, a reference.
    Line,
    /// Several paragraphs: descriptions, questions and answers, broadcast posts.
    Paragraphs,
}

impl TextKind {
    pub const fn max_chars(self) -> usize {
        match self {
            Self::Name => 50,
            Self::Title => 100,
            Self::Line => 500,
            Self::Paragraphs => 5_000,
        }
    }

    const fn allows_line_breaks(self) -> bool {
        matches!(self, Self::Paragraphs)
    }
}

/// Longer than any field accepts: a string over this is refused before any resolver runs,
/// whatever it is for (`graphql` limits), so no input reaches a service unbounded.
pub const MAX_ANY_STRING_CHARS: usize = 20_000;

/// The first character no text may carry: C0 and C1 controls and DEL, except the tab,
/// line feed and carriage return that multi-line text is made of.
pub fn forbidden_char(text: &str) -> Option<char> {
    text.chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// `value` as stored text of `kind`, or BAD_USER_INPUT naming `field` and saying what to fix.
pub fn plain(field: &str, value: &str, kind: TextKind) -> AppResult<String> {
    let value = value.trim();
    if let Some(c) = forbidden_char(value) {
        return Err(AppError::bad_field(
            field,
            format!(
                "{field} contains the control character U+{:04X}; remove it",
                u32::from(c)
            ),
        ));
    }
    if !kind.allows_line_breaks() && value.contains(['\n', '\r', '\t']) {
        return Err(AppError::bad_field(
            field,
            format!("{field} is one line: remove the line breaks and tabs"),
        ));
    }
    let chars = value.chars().count();
    if chars > kind.max_chars() {
        return Err(AppError::bad_field(
            field,
            format!(
                "{field} has {chars} characters; at most {} are allowed",
                kind.max_chars()
            ),
        ));
    }
    Ok(value.to_owned())
}

/// `plain` for text that must not be empty either.
pub fn required(field: &str, value: &str, kind: TextKind) -> AppResult<String> {
    let text = plain(field, value, kind)?;
    if text.is_empty() {
        return Err(AppError::bad_field(field, format!("{field} is required")));
    }
    Ok(text)
}

/// `plain` for an optional input; blank counts as absent.
pub fn optional(field: &str, value: Option<&str>, kind: TextKind) -> AppResult<Option<String>> {
    value
        .map(|v| plain(field, v, kind))
        .transpose()
        .map(|v| v.filter(|t| !t.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_kept() {
        assert_eq!(
            plain("name", "  陈晓明 ", TextKind::Name).unwrap(),
            "陈晓明"
        );
        assert_eq!(
            plain("body", "第一段\n第二段", TextKind::Paragraphs).unwrap(),
            "第一段\n第二段"
        );
    }

    #[test]
    fn control_characters_are_refused_naming_the_field() {
        let err = plain("question", "a\0b", TextKind::Paragraphs).unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
        assert!(err.message().contains("U+0000"));
        assert!(plain("name", "a\u{7f}", TextKind::Name).is_err());
        assert!(plain("name", "a\u{85}b", TextKind::Name).is_err());
        assert!(plain("name", "a\nb", TextKind::Name).is_err());
    }

    #[test]
    fn length_is_counted_in_characters() {
        assert!(plain("name", &"名".repeat(50), TextKind::Name).is_ok());
        let err = plain("name", &"名".repeat(51), TextKind::Name).unwrap_err();
        assert!(err.message().contains("at most 50"));
    }

    #[test]
    fn required_refuses_blank_and_optional_drops_it() {
        assert!(required("title", "   ", TextKind::Title).is_err());
        assert_eq!(optional("note", Some("  "), TextKind::Line).unwrap(), None);
    }
}
