//! Claim-then-complete inside the caller's write transaction, so the work and the record of
//! it commit or vanish together.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryTrait, SqlErr,
    TryInsertResult,
    sea_query::{Expr, OnConflict},
};
use serde::{Serialize, de::DeserializeOwned};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    db::{self, Db, WriteTxn},
    entities::idempotency_record,
    error::{AppError, AppResult},
};

/// The unique key of a claim.
const KEY_COLUMNS: [idempotency_record::Column; 3] = [
    idempotency_record::Column::AccountId,
    idempotency_record::Column::Operation,
    idempotency_record::Column::IdemKey,
];

/// 8 to 128 printable ASCII characters chosen by the client, e.g. a UUID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(text: &str) -> AppResult<Self> {
        let ok = (8..=128).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_graphic());
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(AppError::bad_field(
                "idempotencyKey",
                "an idempotency key is 8 to 128 printable ASCII characters",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A stable fingerprint of the request input.
pub fn request_hash(input: &impl Serialize) -> String {
    let json = serde_json::to_vec(input).expect("request input serialises");
    hex::encode(Sha256::digest(json))
}

pub enum Outcome<T> {
    /// First time: do the work, then `complete`.
    Fresh(Uuid),
    /// Seen before with the same input: here is what it returned.
    Replay(T),
    /// Another request holds the key right now; roll back and try again.
    Busy,
}

/// Whether the answer was computed now or replayed from the first request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Freshness {
    Fresh,
    Replayed,
}

type Work<'t, T> = std::pin::Pin<Box<dyn Future<Output = AppResult<T>> + Send + 't>>;

/// Run `work` once per (account, operation, key): claim the key, do the work and store its
/// result in one write transaction. A replay returns the stored result without running it.
pub async fn run<T, F>(
    db: &Db,
    account_id: Uuid,
    operation: &str,
    key: &IdempotencyKey,
    hash: &str,
    work: F,
) -> AppResult<(T, Freshness)>
where
    T: Serialize + DeserializeOwned + Send,
    F: for<'t> FnOnce(&'t WriteTxn) -> Work<'t, T>,
{
    let mut work = Some(work);
    for attempt in 0..200u32 {
        let txn = db.begin_write().await?;
        match claim::<T>(&*txn, account_id, operation, key, hash).await? {
            Outcome::Replay(value) => return Ok((value, Freshness::Replayed)),
            Outcome::Busy => {
                drop(txn);
                tokio::time::sleep(std::time::Duration::from_millis(
                    5 + u64::from(attempt.min(20)),
                ))
                .await;
            }
            Outcome::Fresh(claim_id) => {
                let work = work.take().expect("work runs once");
                let value = work(&txn).await?;
                complete(&*txn, claim_id, &value).await?;
                txn.commit().await?;
                return Ok((value, Freshness::Fresh));
            }
        }
    }
    Err(AppError::conflict(
        "a request with this idempotency key is still in progress; retry later",
    ))
}

/// What [`run_decided`] did.
pub enum Decided<T, R> {
    /// The work ran now and returned this.
    Fresh(R),
    /// The key was used before with the same input; this is the result stored then.
    Replayed(T),
}

/// Like [`run`], for work whose result is known before it runs (e.g. the id of the row it will
/// insert). The claim stores that result at once, so no completion write follows the work,
/// and the claim is an `INSERT .. ON CONFLICT DO NOTHING`: a concurrent holder of the key makes
/// it wait for that transaction's end (PostgreSQL) instead of failing and polling. As in `run`,
/// the claim commits or vanishes with the work.
pub async fn run_decided<T, R, F>(
    db: &Db,
    account_id: Uuid,
    operation: &str,
    key: &IdempotencyKey,
    hash: &str,
    result: T,
    work: F,
) -> AppResult<Decided<T, R>>
where
    T: Serialize + DeserializeOwned + Send,
    R: Send,
    F: for<'t> FnOnce(&'t WriteTxn) -> Work<'t, R>,
{
    let response_json = serde_json::to_string(&result).map_err(AppError::internal)?;
    let mut work = Some(work);
    for attempt in 0..200u32 {
        let txn = db.begin_write().await?;
        let claim = idempotency_record::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(account_id),
            operation: Set(operation.to_owned()),
            idem_key: Set(key.as_str().to_owned()),
            request_hash: Set(hash.to_owned()),
            response_json: Set(response_json.clone()),
            created_at: Set(Utc::now()),
        };
        let claimed = idempotency_record::Entity::insert(claim)
            .on_conflict(OnConflict::columns(KEY_COLUMNS).do_nothing().to_owned())
            .try_insert()
            .exec_without_returning(&*txn)
            .await?;
        if matches!(claimed, TryInsertResult::Inserted(n) if n > 0) {
            let work = work.take().expect("work runs once");
            let value = work(&txn).await?;
            txn.commit().await?;
            return Ok(Decided::Fresh(value));
        }
        // Taken: the holder has committed (a statement in this transaction sees it now).
        if let Some(existing) = find(&*txn, account_id, operation, key).await? {
            match replay::<T>(existing, hash)? {
                Outcome::Replay(value) => return Ok(Decided::Replayed(value)),
                Outcome::Busy | Outcome::Fresh(_) => {}
            }
        }
        // A claim by `run` still in progress (SQLite), or one that vanished: try again.
        drop(txn);
        tokio::time::sleep(std::time::Duration::from_millis(
            5 + u64::from(attempt.min(20)),
        ))
        .await;
    }
    Err(AppError::conflict(
        "a request with this idempotency key is still in progress; retry later",
    ))
}

/// One key to claim in [`claim_many`], with the result it stands for (known up front).
pub struct NewClaim {
    pub id: Uuid,
    pub account_id: Uuid,
    pub key: String,
    pub hash: String,
    pub response_json: String,
}

/// Claim many keys of one operation at once inside the caller's transaction: an
/// `INSERT .. ON CONFLICT DO NOTHING RETURNING id` of them all, then, for the keys it did
/// not win, a read of who holds each. A claim won is the record carrying the caller's own
/// `id`; any other record is an earlier (committed) holder, to replay or refuse. A key
/// missing from the answer was held by a transaction that rolled back meanwhile: try again.
pub async fn claim_many(
    conn: &impl ConnectionTrait,
    operation: &str,
    claims: &[NewClaim],
) -> AppResult<HashMap<(Uuid, String), idempotency_record::Model>> {
    if claims.is_empty() {
        return Ok(HashMap::new());
    }
    let now = Utc::now();
    let records: Vec<idempotency_record::Model> = claims
        .iter()
        .map(|c| idempotency_record::Model {
            id: c.id,
            account_id: c.account_id,
            operation: operation.to_owned(),
            idem_key: c.key.clone(),
            request_hash: c.hash.clone(),
            response_json: c.response_json.clone(),
            created_at: now,
        })
        .collect();
    let won = db::insert_unless_taken(
        conn,
        records
            .iter()
            .cloned()
            .map(IntoActiveModel::into_active_model)
            .collect(),
        &KEY_COLUMNS,
        idempotency_record::Column::Id,
    )
    .await?;
    let mut held = HashMap::with_capacity(claims.len());
    for record in records {
        if won.contains(&record.id) {
            held.insert((record.account_id, record.idem_key.clone()), record);
            continue;
        }
        // Lost keys are rare (a retry, a race): each is read by its whole unique key, one
        // at a time. Several at once in one OR let the planner match on the account alone
        // and filter every key that account ever used.
        let holder = idempotency_record::Entity::find()
            .filter(idempotency_record::Column::AccountId.eq(record.account_id))
            .filter(idempotency_record::Column::Operation.eq(operation))
            .filter(idempotency_record::Column::IdemKey.eq(record.idem_key.as_str()))
            .one(conn)
            .await?;
        if let Some(holder) = holder {
            held.insert((holder.account_id, holder.idem_key.clone()), holder);
        }
    }
    Ok(held)
}

/// Give back claims whose work was refused, with the caller's other writes in the same
/// transaction, so the key can be used again (as a rolled-back single claim would be).
pub fn push_release(writes: &mut crate::db::Writes, claim_ids: &[Uuid]) {
    if claim_ids.is_empty() {
        return;
    }
    let delete = idempotency_record::Entity::delete_many()
        .filter(db::one_of(
            writes.backend(),
            idempotency_record::Column::Id,
            claim_ids.to_vec(),
        ))
        .into_query();
    let statement = writes.backend().build(&delete);
    writes.push(statement);
}

/// What an earlier holder of a key means for a request with input hash `hash`: its stored
/// result, `None` while it is still being worked on, or a conflict for other input.
pub fn earlier_result<T: DeserializeOwned>(
    record: idempotency_record::Model,
    hash: &str,
) -> AppResult<Option<T>> {
    match replay(record, hash)? {
        Outcome::Replay(value) => Ok(Some(value)),
        Outcome::Busy | Outcome::Fresh(_) => Ok(None),
    }
}

/// Claim the key for this account and operation. The unique index makes a concurrent claim
/// wait for ours and then fail, so only one request ever does the work.
async fn claim<T: DeserializeOwned>(
    conn: &impl ConnectionTrait,
    account_id: Uuid,
    operation: &str,
    key: &IdempotencyKey,
    hash: &str,
) -> AppResult<Outcome<T>> {
    if let Some(existing) = find(conn, account_id, operation, key).await? {
        return replay(existing, hash);
    }
    let id = Uuid::now_v7();
    let inserted = idempotency_record::ActiveModel {
        id: Set(id),
        account_id: Set(account_id),
        operation: Set(operation.to_owned()),
        idem_key: Set(key.as_str().to_owned()),
        request_hash: Set(hash.to_owned()),
        response_json: Set(String::new()),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await;
    match inserted {
        Ok(_) => Ok(Outcome::Fresh(id)),
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Ok(Outcome::Busy)
        }
        Err(err) => Err(err.into()),
    }
}

fn replay<T: DeserializeOwned>(
    record: idempotency_record::Model,
    hash: &str,
) -> AppResult<Outcome<T>> {
    if record.request_hash != hash {
        return Err(AppError::conflict(
            "this idempotency key was already used with different input",
        ));
    }
    if record.response_json.is_empty() {
        return Ok(Outcome::Busy);
    }
    let value = serde_json::from_str(&record.response_json).map_err(AppError::internal)?;
    Ok(Outcome::Replay(value))
}

async fn find(
    conn: &impl ConnectionTrait,
    account_id: Uuid,
    operation: &str,
    key: &IdempotencyKey,
) -> AppResult<Option<idempotency_record::Model>> {
    Ok(idempotency_record::Entity::find()
        .filter(idempotency_record::Column::AccountId.eq(account_id))
        .filter(idempotency_record::Column::Operation.eq(operation))
        .filter(idempotency_record::Column::IdemKey.eq(key.as_str()))
        .one(conn)
        .await?)
}

/// Store the result of the work done under a claim.
async fn complete(
    conn: &impl ConnectionTrait,
    claim_id: Uuid,
    response: &impl Serialize,
) -> AppResult<()> {
    let json = serde_json::to_string(response).map_err(AppError::internal)?;
    idempotency_record::Entity::update_many()
        .col_expr(idempotency_record::Column::ResponseJson, Expr::value(json))
        .filter(idempotency_record::Column::Id.eq(claim_id))
        .exec(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_bounded_printable_ascii() {
        assert!(IdempotencyKey::parse("0b9f5a2e-1c3d-4e5f-8a9b-0c1d2e3f4a5b").is_ok());
        assert!(IdempotencyKey::parse("short").is_err());
        assert!(IdempotencyKey::parse("has a space in it").is_err());
        assert!(IdempotencyKey::parse(&"x".repeat(129)).is_err());
    }

    #[test]
    fn the_same_input_hashes_the_same() {
        assert_eq!(request_hash(&("a", 1)), request_hash(&("a", 1)));
        assert_ne!(request_hash(&("a", 1)), request_hash(&("a", 2)));
    }
}
