//! A broadcast post as parsed input: a title, a body and what it links to.

use serde::Serialize;
use uuid::Uuid;

use crate::{
    entities::enums::BroadcastKind,
    error::{AppError, AppResult},
};

const MAX_TITLE_CHARS: usize = 100;
const MAX_BODY_CHARS: usize = 5000;
const MAX_REASON_CHARS: usize = 500;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewBroadcast {
    pub org_id: Uuid,
    pub kind: BroadcastKind,
    pub title: String,
    pub body: String,
    pub town_id: Option<Uuid>,
    pub activity_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
}

impl NewBroadcast {
    /// Trim and bound the texts.
    pub fn parse(mut self) -> AppResult<Self> {
        self.title = self.title.trim().to_owned();
        self.body = self.body.trim().to_owned();
        if self.title.is_empty() || self.title.chars().count() > MAX_TITLE_CHARS {
            return Err(AppError::bad_field(
                "title",
                "a title of 1 to 100 characters is required",
            ));
        }
        if self.body.is_empty() || self.body.chars().count() > MAX_BODY_CHARS {
            return Err(AppError::bad_field(
                "body",
                "a body of 1 to 5000 characters is required",
            ));
        }
        Ok(self)
    }
}

/// Why a post was hidden, shown to its org: 1 to 500 characters.
pub fn parse_hide_reason(text: &str) -> AppResult<String> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_REASON_CHARS {
        return Err(AppError::bad_field(
            "reason",
            "hiding needs a reason of 1 to 500 characters",
        ));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(title: &str, body: &str) -> NewBroadcast {
        NewBroadcast {
            org_id: Uuid::now_v7(),
            kind: BroadcastKind::Need,
            title: title.into(),
            body: body.into(),
            town_id: None,
            activity_id: None,
            project_id: None,
        }
    }

    #[test]
    fn titles_and_bodies_are_trimmed_and_bounded() {
        let p = post("  急需冬衣 ", " 鹿西乡困难老人需要冬衣 20 件。 ")
            .parse()
            .unwrap();
        assert_eq!(p.title, "急需冬衣");
        assert_eq!(p.body, "鹿西乡困难老人需要冬衣 20 件。");
        assert!(post(" ", "x").parse().is_err());
        assert!(post(&"长".repeat(101), "x").parse().is_err());
        assert!(post("t", "").parse().is_err());
    }

    #[test]
    fn hiding_needs_a_reason() {
        assert!(parse_hide_reason("  ").is_err());
        assert_eq!(parse_hide_reason(" 含个人信息 ").unwrap(), "含个人信息");
    }
}
