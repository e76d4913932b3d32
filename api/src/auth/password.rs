//! Password hashing with argon2id on a bounded pool, and the password policy.
//!
//! One argon2 hash is tens of milliseconds of CPU and ~19 MiB of memory. Hashes run off the
//! async runtime's workers, and at most `hashing_slots()` at a time, so a flood of logins
//! queues here instead of taking every core (and gigabytes) from the rest of the API; a
//! login that cannot get a slot in time is refused as UNAVAILABLE (retryable).

use std::{
    sync::{
        LazyLock,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

/// Half the cores (at least one): the other half keeps answering everything else.
pub fn hashing_slots() -> usize {
    std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1))
}

/// How long a login waits for a hashing slot before it is told to retry.
const SLOT_WAIT: Duration = Duration::from_secs(3);

static SLOTS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(hashing_slots()));

/// Hashes running now, and the most that ever ran at once (for the attack suite).
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// The most password hashes that have run at the same time in this process.
pub fn peak_concurrent_hashes() -> usize {
    PEAK.load(Ordering::Relaxed)
}

/// A real hash of a throwaway password, so a login for an unknown phone costs the same time
/// as one for a known phone and does not reveal which phones have accounts.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking("not-a-real-password").expect("hash"));

fn hash_blocking(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Run one argon2 job on the blocking pool once a slot is free.
async fn on_a_slot<T: Send + 'static>(
    job: impl FnOnce() -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    let _slot = tokio::time::timeout(SLOT_WAIT, SLOTS.acquire())
        .await
        .map_err(|_| {
            metrics::counter!("password_hash_refused_total").increment(1);
            AppError::Unavailable("every password check is busy".into())
        })?
        .map_err(AppError::internal)?;
    tokio::task::spawn_blocking(move || {
        let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
        PEAK.fetch_max(now, Ordering::SeqCst);
        let result = job();
        RUNNING.fetch_sub(1, Ordering::SeqCst);
        result
    })
    .await
    .map_err(AppError::internal)?
}

pub async fn hash_password(password: String) -> AppResult<String> {
    on_a_slot(move || {
        hash_blocking(&password)
            .map_err(|e| AppError::internal(anyhow::anyhow!("hashing failed: {e}")))
    })
    .await
}

/// Verify `password` against `hash`; with no hash, burn the same time and fail.
pub async fn verify_password(password: String, hash: Option<String>) -> AppResult<bool> {
    on_a_slot(move || {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| DUMMY_HASH.clone());
        let parsed = PasswordHash::new(&hash)
            .map_err(|e| AppError::internal(anyhow::anyhow!("stored hash unreadable: {e}")))?;
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(known && matches)
    })
    .await
}

pub const MIN_PASSWORD_LEN: usize = 8;
pub const MAX_PASSWORD_LEN: usize = 128;

/// Passwords people pick first (the most common in published leak statistics, Chinese
/// sites included) that pass the length rule; compared case-insensitively.
const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "password1",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "12345678",
    "123456789",
    "1234567890",
    "0123456789",
    "87654321",
    "987654321",
    "11111111",
    "00000000",
    "88888888",
    "66666666",
    "12341234",
    "11223344",
    "12121212",
    "123123123",
    "147258369",
    "159357456",
    "qwertyui",
    "qwerty123",
    "qwerty12",
    "1qaz2wsx",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "qweasdzxc",
    "asdfghjk",
    "zxcvbnm1",
    "abcd1234",
    "abc12345",
    "abc123456",
    "a1234567",
    "a12345678",
    "a123456789",
    "aa123456",
    "aa12345678",
    "qq123456",
    "qq12345678",
    "asd12345",
    "woaini1314",
    "woaini520",
    "woaini123",
    "5201314520",
    "52013145",
    "1314520520",
    "iloveyou",
    "iloveyou1",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "superman",
    "welcome1",
    "welcome123",
    "admin123",
    "admin1234",
    "administrator",
    "letmein1",
    "trustno1",
    "dragon123",
    "monkey123",
    "zaq12wsx",
    "zhang123",
    "wang1234",
    "li123456",
    "changeme",
    "computer",
    "internet",
    "whatever",
    "starwars",
    "master123",
    "qazwsxedc",
    "!qaz2wsx",
    "1qaz@wsx",
    "asdf1234",
    "zxcv1234",
    "test1234",
    "test12345",
    "demo1234",
    "dongtou1",
    "dongtou123",
    "wenzhou1",
    "wenzhou123",
    "cishan123",
];

/// Whether `password` may become an account's password; the reason names what to change.
/// `old` is the password it replaces, `phone` the account's own phone.
pub fn check_new_password(password: &str, old: Option<&str>, phone: &str) -> Result<(), String> {
    let chars: Vec<char> = password.chars().collect();
    if chars.len() < MIN_PASSWORD_LEN || chars.len() > MAX_PASSWORD_LEN {
        return Err(format!(
            "a password has {MIN_PASSWORD_LEN} to {MAX_PASSWORD_LEN} characters"
        ));
    }
    if chars.iter().any(|c| c.is_control()) {
        return Err("a password may not contain control characters".into());
    }
    if old == Some(password) {
        return Err("choose a password different from the current one".into());
    }
    let lower = password.to_lowercase();
    if COMMON_PASSWORDS.contains(&lower.as_str()) {
        return Err("this password is among the most common ones; choose another".into());
    }
    if !phone.is_empty() && lower.contains(phone) {
        return Err("a password may not contain the phone number".into());
    }
    let mut distinct = chars.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 4 {
        return Err("a password needs at least 4 different characters".into());
    }
    // 12345678, abcdefgh, 98765432: each character one step from the last.
    let steps: Vec<i64> = chars
        .windows(2)
        .map(|w| i64::from(u32::from(w[1])) - i64::from(u32::from(w[0])))
        .collect();
    if steps.iter().all(|&d| d == 1) || steps.iter().all(|&d| d == -1) {
        return Err("a password may not be a run of consecutive characters".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_right_password_verifies_and_a_wrong_one_does_not() {
        let hash = hash_password("Demo@2026".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            verify_password("Demo@2026".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify_password("demo@2026".into(), Some(hash))
                .await
                .unwrap()
        );
        assert!(!verify_password("Demo@2026".into(), None).await.unwrap());
    }

    #[tokio::test]
    async fn many_hashes_at_once_never_run_more_than_the_slots() {
        let jobs: Vec<_> = (0..6)
            .map(|i| tokio::spawn(hash_password(format!("Concurrent@{i}"))))
            .collect();
        for job in jobs {
            job.await.unwrap().unwrap();
        }
        assert!(peak_concurrent_hashes() <= hashing_slots());
    }

    #[test]
    fn weak_common_and_unchanged_passwords_are_refused() {
        for weak in [
            "aaaaaaaa",
            "12345678",
            "abcdefgh",
            "87654321",
            "Password",
            "woaini1314",
            "short",
        ] {
            assert!(
                check_new_password(weak, None, "13800000001").is_err(),
                "{weak} passed"
            );
        }
        assert!(check_new_password("Demo@2026", Some("Demo@2026"), "").is_err());
        assert!(check_new_password("x13800000001", None, "13800000001").is_err());
        assert!(check_new_password("NewPass@2026", Some("Demo@2026"), "13800000001").is_ok());
        assert!(check_new_password("海霞渔业2026年", None, "").is_ok());
    }
}
