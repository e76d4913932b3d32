//! The privacy notice (个人信息保护告知) a resident agrees to on registering: its text and
//! version. A registration names the version it showed; an older one is refused, so nobody
//! is on record as agreeing to text they never saw.

use async_graphql::{Object, SimpleObject};

/// Bump with every change of the text.
pub const VERSION: &str = "2026-12-05.2";

pub const TEXT: &str = include_str!("privacy-policy.zh-CN.md");

/// The notice as shown before registering.
#[derive(SimpleObject)]
pub struct PrivacyPolicy {
    /// Send it back as `agreedPolicyVersion` when registering.
    version: &'static str,
    /// Markdown, in Chinese.
    text: &'static str,
}

#[derive(Default)]
pub struct PrivacyPolicyQuery;

#[Object]
impl PrivacyPolicyQuery {
    /// The privacy notice a registration must agree to. Public.
    async fn privacy_policy(&self) -> PrivacyPolicy {
        PrivacyPolicy {
            version: VERSION,
            text: TEXT,
        }
    }
}

/// Refuse an agreement to any other version than the current one.
pub fn check_agreed(version: &str) -> crate::error::AppResult<String> {
    if version.trim() == VERSION {
        Ok(VERSION.to_owned())
    } else {
        Err(crate::error::AppError::bad_field(
            "agreedPolicyVersion",
            format!(
                "the privacy notice is now version {VERSION}: show it (query privacyPolicy) and ask for agreement again"
            ),
        ))
    }
}
