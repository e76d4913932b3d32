//! Group commit for `recordDonation`. Donations logged at the same moment share one write
//! transaction and a handful of set-based statements (the claims, the lookups, the donations
//! insert, then the ledger entries, donor moves and audit entries together in one), instead
//! of each paying its own transaction of seven round trips and a commit. Every request still
//! gets its own answer (its donation, its replay, or its own error) only after the batch has
//! committed and the ranking sets have moved, and a batch the database refuses as a whole is
//! retried one donation at a time on the single path, which names each donation's own error.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::{Semaphore, mpsc, oneshot};
use uuid::Uuid;

use super::{
    DonorRef, NewDonation,
    bulk::{self, Bulk},
    rules, single,
};
use crate::{
    audit::{self, service::AuditEntry, snapshot},
    auth::Viewer,
    db::{self, Db},
    entities::{
        campaign, charity_project, credit_rule, donation, donor, enums::DonorKind, resident,
    },
    error::{AppError, AppResult},
    idempotency::{self, Freshness, IdempotencyKey, NewClaim},
    rankings::{BoardWrite, Boards},
};

/// Most donations one transaction carries.
const MAX_BATCH: usize = 128;
/// How often a request whose key another transaction holds is put back before giving up.
const MAX_ATTEMPTS: u32 = 200;
const OPERATION: &str = "recordDonation";

type Reply = oneshot::Sender<AppResult<(donation::Model, Freshness)>>;

/// One `recordDonation` waiting for its batch.
pub(super) struct Pending {
    pub account_id: Uuid,
    pub key: IdempotencyKey,
    pub hash: String,
    /// The id the donation gets if this request is the first with its key.
    pub id: Uuid,
    pub input: NewDonation,
    pub attempts: u32,
    /// Its audit entry, written in the batch's transaction when it succeeds.
    pub audit: Option<AuditEntry>,
    pub reply: Reply,
}

/// Hands donations to the batch writer of this process.
#[derive(Clone)]
pub struct Recorder {
    queue: mpsc::UnboundedSender<Pending>,
}

/// What the writer's batches write with.
#[derive(Clone)]
struct Writer {
    db: Db,
    boards: Boards,
    audit: audit::service::Writer,
    recorder: Recorder,
}

impl Recorder {
    /// Start the writer (needs a running Tokio runtime). `concurrent_batches` transactions
    /// may be open at once; while all are busy, new requests gather into the next batch.
    pub fn start(
        db: Db,
        boards: Boards,
        audit: audit::service::Writer,
        concurrent_batches: usize,
    ) -> Self {
        let (queue, inbox) = mpsc::unbounded_channel();
        let recorder = Self { queue };
        let writer = Writer {
            db,
            boards,
            audit,
            recorder: recorder.clone(),
        };
        tokio::spawn(dispatch(writer, inbox, concurrent_batches.max(1)));
        recorder
    }

    /// Log a donation for the viewer's org (or any org, for ADMIN), once per idempotency
    /// key. Concurrent donations share a transaction; the answer comes after the commit.
    #[tracing::instrument(skip(self, viewer, input, audit), fields(org = %input.org_id))]
    pub async fn record(
        &self,
        viewer: &Viewer,
        key: &IdempotencyKey,
        input: NewDonation,
        audit: Option<AuditEntry>,
    ) -> AppResult<(donation::Model, Freshness)> {
        viewer.require_org(input.org_id)?;
        input.check_shape(Utc::now())?;
        let hash = idempotency::request_hash(&input);
        // The id is chosen up front so the idempotency claim can carry the answer from the start.
        let id = Uuid::now_v7();
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Pending {
                account_id: viewer.account_id,
                key: key.clone(),
                hash,
                id,
                input,
                attempts: 0,
                audit,
                reply,
            })
            .map_err(|_| AppError::Unavailable("donation writer stopped".into()))?;
        answer
            .await
            .map_err(|_| AppError::Unavailable("donation writer stopped".into()))?
    }

    fn put_back(&self, mut pending: Pending) {
        pending.attempts += 1;
        if pending.attempts >= MAX_ATTEMPTS {
            let _ = pending.reply.send(Err(AppError::conflict(
                "a request with this idempotency key is still in progress; retry later",
            )));
            return;
        }
        if let Err(mpsc::error::SendError(p)) = self.queue.send(pending) {
            let _ = p
                .reply
                .send(Err(AppError::Unavailable("donation writer stopped".into())));
        }
    }
}

async fn dispatch(writer: Writer, mut inbox: mpsc::UnboundedReceiver<Pending>, slots: usize) {
    let slots = Arc::new(Semaphore::new(slots));
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        // A free slot first, then whatever has gathered: while every slot is busy the next
        // batch keeps growing, which is what makes this cheaper under load.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        if inbox.recv_many(&mut batch, MAX_BATCH).await == 0 {
            return;
        }
        let items = std::mem::replace(&mut batch, Vec::with_capacity(MAX_BATCH));
        let writer = writer.clone();
        tokio::spawn(async move {
            write_and_answer(&writer, items).await;
            drop(slot);
        });
    }
}

/// What became of one request in a batch that committed.
#[allow(clippy::large_enum_variant)] // one per request of a batch, never stored
enum Outcome {
    Answered(AppResult<(donation::Model, Freshness)>),
    /// Its key is held by a transaction still open, or was just given up: next batch.
    Again,
}

async fn write_and_answer(writer: &Writer, items: Vec<Pending>) {
    if items.is_empty() {
        return;
    }
    // A repeated key waits for the first of its batch (to replay it, or to find it refused).
    let mut seen = HashSet::new();
    let (items, repeats): (Vec<_>, Vec<_>) = items
        .into_iter()
        .partition(|p| seen.insert((p.account_id, p.key.as_str().to_owned())));
    for p in repeats {
        writer.recorder.put_back(p);
    }
    let started = std::time::Instant::now();
    // Read before the commit: it lets the ranking cache prove it has not counted these yet.
    // It runs beside the transaction's statements; the commit waits for it.
    let write = tokio::spawn({
        let boards = writer.boards.clone();
        async move { boards.before_write().await }
    });
    match write_batch(&writer.db, &writer.boards, &items, write).await {
        Ok((outcomes, write)) => {
            let committed = started.elapsed();
            let fresh: Vec<donation::Model> = outcomes
                .iter()
                .filter_map(|o| match o {
                    Outcome::Answered(Ok((d, Freshness::Fresh))) => Some(d.clone()),
                    _ => None,
                })
                .collect();
            // The boards move before anyone hears of the donation: no acknowledged donation
            // is ever missing from a board read after the answer.
            if !fresh.is_empty() {
                write.donations_recorded(&fresh).await;
            }
            tracing::debug!(
                donations = items.len(),
                committed_ms = committed.as_secs_f64() * 1e3,
                ranked_ms = started.elapsed().as_secs_f64() * 1e3,
                "donation batch"
            );
            for (p, outcome) in items.into_iter().zip(outcomes) {
                match outcome {
                    Outcome::Answered(answer) => {
                        let _ = p.reply.send(answer);
                    }
                    Outcome::Again => writer.recorder.put_back(p),
                }
            }
        }
        Err(e) => {
            // The database refused the shared transaction (a receipt or key taken by another
            // process after the lookups, a lost connection): one at a time, each on its own.
            tracing::info!(
                error = e.message(),
                donations = items.len(),
                "batch refused; recording one by one"
            );
            for p in items {
                let writer = writer.clone();
                tokio::spawn(async move {
                    let answer = single::record_alone(
                        &writer.db,
                        &writer.boards,
                        p.account_id,
                        &p.key,
                        &p.hash,
                        p.id,
                        p.input,
                    )
                    .await;
                    if let (Ok((model, freshness)), Some(entry)) = (&answer, p.audit) {
                        let entry = entry.with_row(snapshot::of_model(model));
                        let entry = if *freshness == Freshness::Replayed {
                            entry.replay()
                        } else {
                            entry
                        };
                        if let Err(err) = writer.audit.append(entry).await {
                            tracing::error!(error = ?err, "audit append failed");
                        }
                    }
                    let _ = p.reply.send(answer);
                });
            }
        }
    }
}

/// Everything the batch's donations refer to, read in a handful of statements.
#[derive(Default)]
struct Lookups {
    project_org: HashMap<Uuid, Uuid>,
    campaign_days: HashMap<Uuid, (chrono::NaiveDate, chrono::NaiveDate)>,
    /// Receipts taken by earlier donations of this batch (the database knows the others).
    receipts_used: HashSet<(Uuid, String)>,
    /// Residents this batch registered for the donors its donations name.
    registered: HashSet<Uuid>,
    donor_by_phone: HashMap<String, Uuid>,
    /// Locked for the rest of the transaction, in id order.
    donors: HashMap<Uuid, donor::Model>,
    /// Newest first.
    rules: Vec<credit_rule::Model>,
}

async fn lookups(conn: &impl ConnectionTrait, items: &[&Pending]) -> AppResult<Lookups> {
    if items.is_empty() {
        return Ok(Lookups::default());
    }
    let backend = conn.get_database_backend();
    let project_ids: HashSet<Uuid> = items.iter().map(|p| p.input.project_id).collect();
    let project_org = charity_project::Entity::find()
        .select_only()
        .columns([charity_project::Column::Id, charity_project::Column::OrgId])
        .filter(db::one_of(
            backend,
            charity_project::Column::Id,
            project_ids.into_iter().collect(),
        ))
        .into_tuple::<(Uuid, Uuid)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let campaign_ids: HashSet<Uuid> = items.iter().filter_map(|p| p.input.campaign_id).collect();
    let campaign_days = if campaign_ids.is_empty() {
        HashMap::new()
    } else {
        campaign::Entity::find()
            .filter(db::one_of(
                backend,
                campaign::Column::Id,
                campaign_ids.into_iter().collect(),
            ))
            .all(conn)
            .await?
            .into_iter()
            .map(|c| (c.id, (c.starts_on, c.ends_on)))
            .collect()
    };
    let mut phones = HashSet::new();
    let mut donor_ids = HashSet::new();
    for p in items {
        match &p.input.donor {
            DonorRef::Resident { phone, .. } => {
                phones.insert(phone.as_str().to_owned());
            }
            DonorRef::Enterprise { id } => {
                donor_ids.insert(*id);
            }
            DonorRef::WalkIn { .. } => {}
        }
    }
    let donor_by_phone: HashMap<String, Uuid> = if phones.is_empty() {
        HashMap::new()
    } else {
        resident::Entity::find()
            .select_only()
            .columns([resident::Column::Phone, resident::Column::Id])
            .filter(db::one_of(
                backend,
                resident::Column::Phone,
                phones.into_iter().collect(),
            ))
            .into_tuple::<(String, Uuid)>()
            .all(conn)
            .await?
            .into_iter()
            .collect()
    };
    donor_ids.extend(donor_by_phone.values().copied());
    // Locked in id order, as every bulk writer does, so two batches cannot deadlock.
    let donors = if donor_ids.is_empty() {
        HashMap::new()
    } else {
        donor::Entity::find()
            .filter(db::one_of(
                backend,
                donor::Column::Id,
                donor_ids.into_iter().collect(),
            ))
            .order_by_asc(donor::Column::Id)
            .lock_exclusive()
            .all(conn)
            .await?
            .into_iter()
            .map(|d| (d.id, d))
            .collect()
    };
    let rules = bulk::donation_rules(conn).await?;
    Ok(Lookups {
        project_org,
        campaign_days,
        receipts_used: HashSet::new(),
        registered: HashSet::new(),
        donor_by_phone,
        donors,
        rules,
    })
}

impl Lookups {
    /// The same checks, in the same order and with the same errors, as the single path.
    fn check(&self, input: &NewDonation) -> AppResult<()> {
        rules::project_of_org(
            self.project_org.get(&input.project_id).copied(),
            input.org_id,
        )?;
        if let Some(campaign_id) = input.campaign_id {
            let dates = self.campaign_days.get(&campaign_id).copied();
            rules::within_campaign(dates, input.donated_at)?;
        }
        let receipt = (input.org_id, input.receipt_no.as_str().to_owned());
        if self.receipts_used.contains(&receipt) {
            return Err(rules::receipt_taken());
        }
        Ok(())
    }

    /// The donor a donation counts for (`None` for a walk-in), registering a resident the
    /// input names by an unknown phone.
    async fn donor_for(
        &mut self,
        conn: &impl ConnectionTrait,
        input: &NewDonation,
    ) -> AppResult<Option<Uuid>> {
        match &input.donor {
            DonorRef::WalkIn { .. } => Ok(None),
            DonorRef::Enterprise { id } => match self.donors.get(id) {
                Some(d) if d.kind == DonorKind::Enterprise => Ok(Some(*id)),
                _ => Err(rules::no_such_enterprise()),
            },
            DonorRef::Resident { phone, name } => {
                if let Some(id) = self.donor_by_phone.get(phone.as_str()) {
                    return Ok(Some(*id));
                }
                let name = rules::name_to_register(name.as_deref())?;
                // Nobody is registered for a donation refused for its receipt: asked here
                // by the whole unique key (the insert decides for everyone else).
                let receipt_used = donation::Entity::find()
                    .filter(donation::Column::OrgId.eq(input.org_id))
                    .filter(donation::Column::ReceiptNo.eq(input.receipt_no.as_str()))
                    .one(conn)
                    .await?
                    .is_some();
                if receipt_used {
                    return Err(rules::receipt_taken());
                }
                let registered = crate::accounts::residents::register(
                    conn,
                    name,
                    phone,
                    None,
                    Default::default(),
                )
                .await?;
                self.registered.insert(registered.id);
                self.donor_by_phone
                    .insert(phone.as_str().to_owned(), registered.id);
                self.donors.insert(registered.id, registered.clone());
                Ok(Some(registered.id))
            }
        }
    }
}

/// Long because every step shares the one transaction and the lookups of the steps before:
/// claims, references, refusals, donors, rows, ledger, audit, commit.
///
/// One transaction for the whole batch; `Err` only when the database refused it, and then
/// nothing of it was written. The board write guard is awaited before the commit and
/// returned with the outcomes.
async fn write_batch(
    db: &Db,
    boards: &Boards,
    items: &[Pending],
    write: tokio::task::JoinHandle<BoardWrite>,
) -> AppResult<(Vec<Outcome>, BoardWrite)> {
    let txn = db.begin_write().await?;
    let conn = &*txn;
    let claims: Vec<NewClaim> = items
        .iter()
        .map(|p| {
            Ok(NewClaim {
                id: Uuid::now_v7(),
                account_id: p.account_id,
                key: p.key.as_str().to_owned(),
                hash: p.hash.clone(),
                response_json: serde_json::to_string(&p.id).map_err(AppError::internal)?,
            })
        })
        .collect::<AppResult<_>>()?;
    let mut held = idempotency::claim_many(conn, OPERATION, &claims).await?;

    // Who is first with its key (to write), who repeats a key used before (to replay).
    let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(items.len());
    let mut replays: Vec<(usize, Uuid)> = Vec::new();
    let mut fresh: Vec<usize> = Vec::new();
    for (i, (p, claim)) in items.iter().zip(&claims).enumerate() {
        match held.remove(&(p.account_id, claim.key.clone())) {
            None => outcomes.push(Some(Outcome::Again)),
            Some(record) if record.id == claim.id => {
                fresh.push(i);
                outcomes.push(None);
            }
            Some(record) => match idempotency::earlier_result::<Uuid>(record, &p.hash) {
                Ok(Some(first)) => {
                    replays.push((i, first));
                    outcomes.push(None);
                }
                Ok(None) => outcomes.push(Some(Outcome::Again)),
                Err(e) => outcomes.push(Some(Outcome::Answered(Err(e)))),
            },
        }
    }

    let firsts: Vec<&Pending> = fresh.iter().map(|&i| &items[i]).collect();
    let mut refs = lookups(conn, &firsts).await?;
    let now = Utc::now();
    let mut bulk = Bulk::default();
    let mut written: Vec<usize> = Vec::with_capacity(fresh.len());
    let mut released: Vec<Uuid> = Vec::new();
    for &i in &fresh {
        let p = &items[i];
        let input = &p.input;
        let donor_id = match refs.check(input) {
            Ok(()) => refs.donor_for(conn, input).await,
            Err(e) => Err(e),
        };
        let donor_id = match donor_id {
            Ok(d) => d,
            Err(e) => {
                released.push(claims[i].id);
                outcomes[i] = Some(Outcome::Answered(Err(e)));
                continue;
            }
        };
        let donor = donor_id.and_then(|id| refs.donors.get(&id));
        let rule = bulk::rule_at(&refs.rules, donor, input.donated_at);
        bulk.add(p.id, input, donor, rule, p.account_id, now);
        refs.receipts_used
            .insert((input.org_id, input.receipt_no.as_str().to_owned()));
        written.push(i);
    }
    // The ledger, the released claims and the audit entries go in one round trip at the end.
    let mut writes = db::Writes::new(conn.get_database_backend());
    let taken = bulk.write_unless_receipt_taken(conn, &mut writes).await?;
    if taken
        .iter()
        .any(|d| d.donor_id.is_some_and(|id| refs.registered.contains(&id)))
    {
        // Taken since the check above by another process: this transaction rolls back and
        // each donation is recorded alone, so no resident is registered for a refused one.
        return Err(AppError::conflict(
            "a receipt number was taken while the batch was written",
        ));
    }
    let taken: HashSet<Uuid> = taken.iter().map(|d| d.id).collect();
    let written: Vec<usize> = written
        .into_iter()
        .filter(|&i| {
            if !taken.contains(&items[i].id) {
                return true;
            }
            released.push(claims[i].id);
            outcomes[i] = Some(Outcome::Answered(Err(rules::receipt_taken())));
            false
        })
        .collect();
    idempotency::push_release(&mut writes, &released);
    let replayed: HashMap<Uuid, donation::Model> = if replays.is_empty() {
        HashMap::new()
    } else {
        donation::Entity::find()
            .filter(db::one_of(
                conn.get_database_backend(),
                donation::Column::Id,
                replays.iter().map(|(_, id)| *id).collect(),
            ))
            .all(conn)
            .await?
            .into_iter()
            .map(|d| (d.id, d))
            .collect()
    };
    // Each answered request's audit entry commits with its donation.
    let written_rows = written
        .iter()
        .zip(&bulk.donations)
        .filter_map(|(&i, model)| {
            Some(items[i].audit.clone()?.with_row(snapshot::of_model(model)))
        });
    let replayed_rows = replays.iter().filter_map(|(i, first)| {
        let model = replayed.get(first)?;
        Some(
            items[*i]
                .audit
                .clone()?
                .with_row(snapshot::of_model(model))
                .replay(),
        )
    });
    let entries = written_rows.chain(replayed_rows).collect();
    audit::service::push_entries(&mut writes, entries);
    // The running totals of the boards move in the same transaction as the ledger.
    let recorded: Vec<_> = bulk
        .donations
        .iter()
        .filter(|d| !taken.contains(&d.id))
        .map(|d| (d, 1, d.visibility))
        .collect();
    crate::rankings::totals::donations_changed(conn, &recorded).await?;
    writes.run(conn).await?;
    // A ticket that could not be read proves nothing, and the ranking update then
    // invalidates what it touches instead of trusting it.
    let write = write.await.unwrap_or_else(|_| boards.unproven_write());
    txn.commit().await?;

    for (i, model) in written.into_iter().zip(bulk.donations) {
        outcomes[i] = Some(Outcome::Answered(Ok((model, Freshness::Fresh))));
    }
    for (i, first) in replays {
        outcomes[i] = Some(match replayed.get(&first) {
            Some(d) => Outcome::Answered(Ok((d.clone(), Freshness::Replayed))),
            None => Outcome::Answered(Err(AppError::not_found("donation"))),
        });
    }
    let outcomes = outcomes
        .into_iter()
        .map(|o| o.expect("every request of the batch has an outcome"))
        .collect();
    Ok((outcomes, write))
}
