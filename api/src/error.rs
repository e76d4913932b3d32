//! AppError: every failure a client can act on, each with a stable `extensions.code`.
//!
//! AppError deliberately does not implement `Display`: async-graphql turns anything that does
//! into an error without a code, so `?` on an AppError in a resolver must go through the
//! `From` impl below, which always sets `extensions.code`.

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;

#[derive(Debug)]
pub enum AppError {
    /// No valid credentials were presented.
    Unauthenticated,
    /// A login whose phone and password do not match an enabled account (which of the
    /// three is never said).
    WrongCredentials,
    /// Authenticated, but not allowed to do this (role, org or partner scope).
    Forbidden(String),
    /// Input that cannot be accepted; `field` names the offending input where known.
    BadInput {
        message: String,
        field: Option<String>,
    },
    /// Too early for what was asked (checking out of an activity before it starts): a
    /// BAD_USER_INPUT naming the field, with `startsAt` so a client can say when it can.
    NotStarted {
        field: String,
        starts_at: chrono::DateTime<chrono::Utc>,
    },
    NotFound(String),
    /// The request clashes with the current state (duplicate, stock gone, reused key ...).
    Conflict(String),
    RateLimited {
        retry_after_secs: u64,
    },
    /// A dependency (database) is temporarily unreachable; retrying with the same
    /// idempotency key is safe.
    Unavailable(String),
    /// Anything else: logged with its cause, shown to the client as an opaque message.
    Internal(anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::BadInput {
            message: message.into(),
            field: None,
        }
    }

    pub fn bad_field(field: &str, message: impl Into<String>) -> Self {
        Self::BadInput {
            message: message.into(),
            field: Some(field.to_owned()),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden(message.into())
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound(what.into())
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict(message.into())
    }

    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into())
    }

    /// A unique-constraint violation becomes a CONFLICT with `message`; anything else as usual.
    pub fn on_unique(err: DbErr, message: &str) -> Self {
        match err.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Self::conflict(message),
            _ => err.into(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated | Self::WrongCredentials => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::BadInput { .. } | Self::NotStarted { .. } => "BAD_USER_INPUT",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Conflict(_) => "CONFLICT",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::Unavailable(_) => "UNAVAILABLE",
            Self::Internal(_) => "INTERNAL",
        }
    }

    /// The input field a BAD_USER_INPUT names, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::BadInput { field, .. } => field.as_deref(),
            Self::NotStarted { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The text a client may see; never carries internal detail.
    pub fn message(&self) -> String {
        match self {
            Self::Unauthenticated => "authentication required".into(),
            Self::WrongCredentials => "wrong phone or password".into(),
            Self::Forbidden(m) | Self::Conflict(m) => m.clone(),
            Self::BadInput { message, .. } => message.clone(),
            Self::NotStarted { starts_at, .. } => format!(
                "the activity has not started yet: check out after it starts at {}",
                starts_at
                    .with_timezone(&crate::district_time::DISTRICT_TZ)
                    .format("%H:%M")
            ),
            Self::NotFound(what) => format!("{what} not found"),
            Self::RateLimited { retry_after_secs } => {
                format!("too many requests; retry after {retry_after_secs} s")
            }
            Self::Unavailable(_) => "service temporarily unavailable; retry later".into(),
            Self::Internal(_) => "internal error".into(),
        }
    }

    /// For the command line: the whole cause, which a GraphQL client never sees.
    pub fn into_anyhow(self) -> anyhow::Error {
        match self {
            Self::Internal(cause) => cause,
            Self::Unavailable(cause) => anyhow::anyhow!("unavailable: {cause}"),
            other => anyhow::anyhow!("{}: {}", other.code(), other.message()),
        }
    }

    /// Whether the same request may succeed if simply sent again.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::RateLimited { .. })
    }
}

/// Whether a database error means "the database is unreachable or restarting right now"
/// (retry with the same idempotency key), as opposed to a bug.
fn is_transient(err: &DbErr) -> bool {
    use sea_orm::{RuntimeErr, sqlx};
    let runtime = match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Exec(r) | DbErr::Query(r) => r,
        _ => return false,
    };
    let RuntimeErr::SqlxError(sqlx_err) = runtime else {
        return false;
    };
    match sqlx_err.as_ref() {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // 08: connection exception; 57P01-03: server shutting down or restarting;
            // 40001/40P01: serialization failure or deadlock, safe to retry.
            code.starts_with("08") || code.starts_with("57P0") || code == "40001" || code == "40P01"
        }),
        _ => false,
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        if is_transient(&err) {
            Self::Unavailable(err.to_string())
        } else {
            Self::Internal(err.into())
        }
    }
}

impl From<redis::RedisError> for AppError {
    fn from(err: redis::RedisError) -> Self {
        Self::Internal(err.into())
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        match &err {
            AppError::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error");
            }
            AppError::Unavailable(cause) => {
                tracing::warn!(%cause, "dependency unavailable");
            }
            _ => {}
        }
        let code = err.code();
        async_graphql::Error::new(err.message()).extend_with(|_, ext| {
            ext.set("code", code);
            match &err {
                AppError::BadInput {
                    field: Some(field), ..
                } => ext.set("field", field.as_str()),
                AppError::NotStarted { field, starts_at } => {
                    ext.set("field", field.as_str());
                    ext.set("startsAt", starts_at.to_rfc3339());
                }
                AppError::RateLimited { retry_after_secs } => {
                    ext.set("retryAfterSecs", *retry_after_secs)
                }
                AppError::Unavailable(_) => ext.set("retryable", true),
                AppError::WrongCredentials => ext.set("field", "password"),
                _ => {}
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_hide_their_cause() {
        let err = AppError::internal(anyhow::anyhow!("relation \"secret_table\" does not exist"));
        let gql: async_graphql::Error = err.into();
        assert_eq!(gql.message, "internal error");
    }

    #[test]
    fn every_error_carries_its_code() {
        let gql: async_graphql::Error = AppError::bad_field("phone", "not a phone").into();
        let ext = gql.extensions.expect("extensions");
        assert_eq!(
            ext.get("code").map(|v| v.to_string()),
            Some("\"BAD_USER_INPUT\"".into())
        );
        assert_eq!(
            ext.get("field").map(|v| v.to_string()),
            Some("\"phone\"".into())
        );
    }

    #[test]
    fn lost_connections_are_retryable() {
        let err = AppError::from(DbErr::Conn(sea_orm::RuntimeErr::Internal("down".into())));
        assert_eq!(err.code(), "UNAVAILABLE");
        assert!(err.is_retryable());
    }
}
