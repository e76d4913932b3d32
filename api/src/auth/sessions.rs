//! Whether an access token still speaks for its account: refused once the account is
//! disabled or its password changed after the token was issued. Account state is cached
//! for a few seconds per process, so this costs no query on the hot path; a change made on
//! one replica reaches the others within that time.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::EntityTrait;
use uuid::Uuid;

use crate::{db::Db, entities::account, error::AppResult};

#[derive(Clone, Copy, Debug)]
struct AccountState {
    disabled: bool,
    password_changed_at: DateTime<Utc>,
}

#[derive(Clone)]
pub struct SessionCheck {
    cache: moka::sync::Cache<Uuid, Option<AccountState>>,
}

impl Default for SessionCheck {
    fn default() -> Self {
        Self {
            cache: moka::sync::Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(5))
                .build(),
        }
    }
}

impl SessionCheck {
    /// A token issued at `issued_at_ms` (Unix milliseconds) for `account_id` is still good.
    pub async fn is_current(
        &self,
        db: &Db,
        account_id: Uuid,
        issued_at_ms: i64,
    ) -> AppResult<bool> {
        let state = match self.cache.get(&account_id) {
            Some(state) => state,
            None => {
                let state = account::Entity::find_by_id(account_id)
                    .one(&db.conn)
                    .await?
                    .map(|a| AccountState {
                        disabled: a.disabled,
                        password_changed_at: a.password_changed_at,
                    });
                self.cache.insert(account_id, state);
                state
            }
        };
        Ok(state.is_some_and(|s| {
            !s.disabled && issued_at_ms >= s.password_changed_at.timestamp_millis()
        }))
    }

    /// Forget what this process knows of the account (after a password change here).
    pub fn forget(&self, account_id: Uuid) {
        self.cache.invalidate(&account_id);
    }
}
