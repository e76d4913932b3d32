//! Short-lived JWT access tokens: HS256 only, `exp`, `iss` and `aud` always checked.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Viewer;
use crate::entities::enums::Role;

pub const ISSUER: &str = "dongtou-charity";
pub const AUDIENCE: &str = "dongtou-charity-api";

#[derive(Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: Uuid,
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub donor: Option<Uuid>,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    /// `iat` to the millisecond: a password change refuses the tokens issued before it,
    /// and whole seconds cannot tell a login just before the change from one just after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat_ms: Option<i64>,
    pub exp: i64,
    pub jti: Uuid,
}

/// Cloned into every request's state and rate-limit check: the keys and the validation
/// rules (which hold sets) are shared, not copied.
#[derive(Clone)]
pub struct TokenKeys {
    shared: Arc<Keys>,
    pub access_ttl: chrono::Duration,
}

struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Tokens whose signature and claims were checked: the rate limiter and the request
    /// both ask, and a client sends the same token for many requests. Expiry is checked
    /// again on every hit.
    verified: moka::sync::Cache<String, Verified>,
}

#[derive(Clone)]
struct Verified {
    viewer: Viewer,
    issued_at_ms: i64,
    exp: i64,
}

/// Seconds a token may be past `exp` and still pass (clock skew between replicas).
const LEEWAY_SECS: i64 = 30;

impl TokenKeys {
    pub fn new(secret: &[u8], access_ttl_secs: i64) -> Self {
        // The algorithm is fixed here, never taken from the token's header.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECS as u64;
        validation.validate_exp = true;
        Self {
            shared: Arc::new(Keys {
                encoding: EncodingKey::from_secret(secret),
                decoding: DecodingKey::from_secret(secret),
                validation,
                verified: moka::sync::Cache::builder()
                    .max_capacity(10_000)
                    .time_to_live(std::time::Duration::from_secs(300))
                    .build(),
            }),
            access_ttl: chrono::Duration::seconds(access_ttl_secs),
        }
    }

    pub fn issue(&self, viewer: &Viewer, now: DateTime<Utc>) -> (String, DateTime<Utc>) {
        let expires_at = now + self.access_ttl;
        let claims = AccessClaims {
            sub: viewer.account_id,
            role: viewer.role,
            org: viewer.org_id,
            partner: viewer.partner_id,
            donor: viewer.donor_id,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now.timestamp(),
            iat_ms: Some(now.timestamp_millis()),
            exp: expires_at.timestamp(),
            jti: Uuid::new_v4(),
        };
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.shared.encoding,
        )
        .expect("HS256 signing cannot fail");
        (token, expires_at)
    }

    /// The viewer a token speaks for and when it was issued (Unix milliseconds), or `None`
    /// for anything forged, expired or malformed.
    pub fn verify(&self, token: &str) -> Option<(Viewer, i64)> {
        self.verify_at(token, Utc::now().timestamp())
    }

    /// `verify` at `now` (Unix seconds) for a token already checked; a token seen for the
    /// first time is checked against the clock.
    fn verify_at(&self, token: &str, now: i64) -> Option<(Viewer, i64)> {
        if let Some(hit) = self.shared.verified.get(token) {
            return (hit.exp >= now - LEEWAY_SECS).then_some((hit.viewer, hit.issued_at_ms));
        }
        let data = jsonwebtoken::decode::<AccessClaims>(
            token,
            &self.shared.decoding,
            &self.shared.validation,
        )
        .ok()?;
        let c = data.claims;
        let verified = Verified {
            viewer: Viewer {
                account_id: c.sub,
                role: c.role,
                org_id: c.org,
                partner_id: c.partner,
                donor_id: c.donor,
            },
            issued_at_ms: c.iat_ms.unwrap_or(c.iat.saturating_mul(1000)),
            exp: c.exp,
        };
        self.shared
            .verified
            .insert(token.to_owned(), verified.clone());
        Some((verified.viewer, verified.issued_at_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn viewer() -> Viewer {
        Viewer {
            account_id: Uuid::now_v7(),
            role: Role::OrgStaff,
            org_id: Some(Uuid::now_v7()),
            partner_id: None,
            donor_id: None,
        }
    }

    #[test]
    fn an_issued_token_verifies_to_the_same_viewer() {
        let keys = TokenKeys::new(b"secret", 900);
        let v = viewer();
        let (token, _) = keys.issue(&v, Utc::now());
        assert_eq!(keys.verify(&token).map(|(v, _)| v), Some(v));
    }

    #[test]
    fn a_token_signed_with_another_key_is_refused() {
        let (token, _) = TokenKeys::new(b"other", 900).issue(&viewer(), Utc::now());
        assert!(TokenKeys::new(b"secret", 900).verify(&token).is_none());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let keys = TokenKeys::new(b"secret", 900);
        let (token, _) = keys.issue(&viewer(), Utc::now() - chrono::Duration::hours(1));
        assert!(keys.verify(&token).is_none());
    }

    #[test]
    fn a_remembered_token_is_refused_once_it_expires() {
        let keys = TokenKeys::new(b"secret", 900);
        let v = viewer();
        let (token, expires_at) = keys.issue(&v, Utc::now());
        assert_eq!(keys.verify(&token).map(|(v, _)| v), Some(v.clone()));
        let within_leeway = expires_at.timestamp() + LEEWAY_SECS;
        assert_eq!(
            keys.verify_at(&token, within_leeway).map(|(v, _)| v),
            Some(v)
        );
        assert!(keys.verify_at(&token, within_leeway + 1).is_none());
        // A forged token never enters the memory, however often it is tried.
        let forged = format!("{token}x");
        assert!(keys.verify(&forged).is_none());
        assert!(keys.verify(&forged).is_none());
    }

    #[test]
    fn an_unsigned_alg_none_token_is_refused() {
        let keys = TokenKeys::new(b"secret", 900);
        let (token, _) = keys.issue(&viewer(), Utc::now());
        let payload = token.split('.').nth(1).unwrap();
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"alg":"none","typ":"JWT"}"#);
        assert!(keys.verify(&format!("{header}.{payload}.")).is_none());
    }
}
