//! The one handle through which writes elsewhere keep the ranking sets current.
//!
//! A write that changes what a board totals reads a [`BoardWrite`] guard *before* its
//! transaction (the epoch the sets were built under, so the set update can prove it has not
//! counted the write already) and hands the committed rows to that guard after the commit.
//! The guard is `#[must_use]`: forgetting the second half is a compile warning, not a board
//! that silently misses a donation.

use std::{
    collections::{HashMap, HashSet},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use super::{
    aggregate::{Attribution, Contribution},
    model::{BoardSpec, Member, PeriodKey},
    rule_book::rule_book_on,
    sets::{self, Proof, SetOutcome, SetUpdate, Ticket},
};
use crate::{
    cache::Cache,
    db::Db,
    entities::{
        donation,
        enums::{Board, DonorKind, Visibility},
        hour_certification, resident,
    },
    error::AppResult,
};

/// Shared by the write hooks (which report a missed update) and the upkeep task.
#[derive(Clone, Default)]
pub struct Upkeep {
    missed: Arc<AtomicBool>,
    invalidated: Arc<AtomicBool>,
}

impl Upkeep {
    /// A post-commit set update could not be applied: the sets may be short of a write.
    pub fn report_missed_update(&self) {
        self.missed.store(true, Ordering::SeqCst);
    }

    /// A write invalidated sets it could not update provably: they wait for a rebuild.
    pub fn report_invalidated(&self) {
        self.invalidated.store(true, Ordering::SeqCst);
    }

    pub(super) fn take_missed(&self) -> bool {
        self.missed.swap(false, Ordering::SeqCst)
    }

    pub(super) fn take_invalidated(&self) -> bool {
        self.invalidated.swap(false, Ordering::SeqCst)
    }
}

/// The ranking sets as writers see them: the database they are built from, the cache that
/// holds them, and the upkeep told when an update could not be applied.
#[derive(Clone)]
pub struct Boards {
    db: Db,
    cache: Cache,
    upkeep: Upkeep,
    /// Seen built once: the running totals never become unbuilt again (a rebuild replaces
    /// them under a lock), so later reads skip asking.
    totals_built: Arc<AtomicBool>,
}

/// Read before a write's transaction; hand it the committed rows afterwards.
#[must_use = "hand the committed rows to the guard after the commit, or the boards miss the write"]
pub struct BoardWrite {
    boards: Boards,
    ticket: Ticket,
}

impl Boards {
    pub fn new(db: Db, cache: Cache, upkeep: Upkeep) -> Self {
        Self {
            db,
            cache,
            upkeep,
            totals_built: Arc::default(),
        }
    }

    /// Whether the running totals are built, asked of the database until the answer is yes.
    pub(super) async fn totals_built(&self) -> AppResult<bool> {
        if self.totals_built.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let built = super::board_state::built(&self.db.conn).await?;
        self.totals_built.store(built, Ordering::Relaxed);
        Ok(built)
    }

    /// The same boards on another cache (background work's patient handle, a test's
    /// unreachable one).
    pub fn with_cache(&self, cache: Cache) -> Self {
        Self {
            cache,
            ..self.clone()
        }
    }

    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    pub(super) fn db(&self) -> &Db {
        &self.db
    }

    pub(super) fn upkeep(&self) -> &Upkeep {
        &self.upkeep
    }

    /// Start a write that changes board totals: read before its transaction.
    pub async fn before_write(&self) -> BoardWrite {
        BoardWrite {
            boards: self.clone(),
            ticket: sets::ticket(&self.cache).await,
        }
    }

    /// A write whose start could not be proven (its ticket unreadable): its rows drop every
    /// set they touch instead of counting into them, and the upkeep rebuilds those sets.
    pub fn unproven_write(&self) -> BoardWrite {
        BoardWrite {
            boards: self.clone(),
            ticket: Ticket::unknown(),
        }
    }

    /// After a certification of volunteer hours committed. Its own timestamp was set inside
    /// its transaction, before the commit, which proves no snapshot taken earlier contains it.
    pub async fn hours_certified(&self, cert: &hour_certification::Model) {
        let updates = hours_deltas(&self.db.conn, cert, i64::from(cert.minutes)).await;
        self.commit_updates(Proof::Time(cert.certified_at), updates)
            .await;
    }

    /// Give every board a new version (a write changed names or rules, not totals).
    pub async fn changed(&self) {
        if let Err(e) = super::board_state::bump_board_version(&self.db.conn).await {
            tracing::warn!(error = %e, "could not raise the board version in the database");
        }
        if let Err(e) = sets::bump_version(&self.cache).await {
            tracing::warn!(error = %e, "could not bump the board version; retrying in the background");
            sets::invalidate_later(self.cache.clone(), self.upkeep.clone(), Vec::new());
        }
    }

    /// Apply deltas after a commit; never fails the request. A cache that cannot be reached
    /// is told later (in the background) to drop the sets, so nobody serves them short, and
    /// the upkeep task restores them once it answers again.
    async fn commit_updates(&self, proof: Proof, updates: HashMap<BoardSpec, SetUpdate>) {
        match sets::apply(&self.cache, &proof, &updates).await {
            Ok(outcomes) => {
                for (spec, applied) in outcomes {
                    if applied == SetOutcome::Invalidated {
                        tracing::info!(key = %spec.zset_key(), "ranking set invalidated; it will be rebuilt");
                        self.upkeep.report_invalidated();
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "ranking cache update failed; invalidating later");
                self.upkeep.report_missed_update();
                sets::invalidate_later(
                    self.cache.clone(),
                    self.upkeep.clone(),
                    updates.into_keys().collect(),
                );
            }
        }
    }
}

impl BoardWrite {
    /// Donations were recorded (fresh, not idempotent replays) or imported.
    pub async fn donations_recorded(self, ds: &[donation::Model]) {
        let changes: Vec<_> = ds.iter().map(|d| (d, 1, d.visibility)).collect();
        self.after_donations(&changes).await;
    }

    /// A void committed: the donation leaves every board it was on.
    pub async fn donation_voided(self, d: &donation::Model) {
        self.after_donations(&[(d, -1, d.visibility)]).await;
    }

    /// A donation moved between named and anonymous: its amount moves between the donor's
    /// named and anonymous entries.
    pub async fn visibility_changed(self, before: &donation::Model, after: &donation::Model) {
        self.after_donations(&[
            (before, -1, before.visibility),
            (after, 1, after.visibility),
        ])
        .await;
    }

    /// A certification's minutes changed by `delta_minutes` (a dispute upheld).
    pub async fn hours_changed(self, cert: &hour_certification::Model, delta_minutes: i64) {
        let updates = hours_deltas(&self.boards.db.conn, cert, delta_minutes).await;
        self.boards
            .commit_updates(Proof::Ticket(self.ticket), updates)
            .await;
    }

    async fn after_donations(self, changes: &[(&donation::Model, i64, Visibility)]) {
        let updates = match donation_updates(&self.boards.db.conn, changes).await {
            Ok(u) => u,
            Err(e) => {
                // The sets cannot be updated precisely: drop every set the donations could touch.
                tracing::warn!(error = e.message(), "could not compute ranking deltas");
                let mut all = HashMap::new();
                for (d, _, _) in changes {
                    for board in [Board::Residents, Board::Organisations] {
                        for period in PeriodKey::all_containing(d.donated_at) {
                            for town in [None, d.town_id].into_iter().collect::<HashSet<_>>() {
                                all.insert(
                                    BoardSpec {
                                        board,
                                        period: period.clone(),
                                        town,
                                    },
                                    SetUpdate::default(),
                                );
                            }
                        }
                    }
                }
                self.boards
                    .commit_updates(Proof::Ticket(Ticket::unknown()), all)
                    .await;
                return;
            }
        };
        self.boards
            .commit_updates(Proof::Ticket(self.ticket), updates)
            .await;
    }
}

fn board_of(kind: DonorKind) -> Board {
    match kind {
        DonorKind::Resident => Board::Residents,
        DonorKind::Enterprise => Board::Organisations,
    }
}

/// The deltas a change of a certification's minutes makes, per set.
pub(super) async fn hours_deltas<C: ConnectionTrait>(
    conn: &C,
    cert: &hour_certification::Model,
    delta_minutes: i64,
) -> HashMap<BoardSpec, SetUpdate> {
    let town = match resident::Entity::find_by_id(cert.resident_id)
        .one(conn)
        .await
    {
        Ok(r) => r.and_then(|r| r.town_id),
        Err(_) => None,
    };
    let mut updates = HashMap::new();
    if delta_minutes != 0 {
        add_contribution(
            &mut updates,
            Board::VolunteerHours,
            Member::named(cert.resident_id),
            cert.certified_at,
            town,
            delta_minutes,
        );
    }
    updates
}

pub(super) fn add_contribution(
    updates: &mut HashMap<BoardSpec, SetUpdate>,
    board: Board,
    member: Member,
    at: DateTime<Utc>,
    town: Option<Uuid>,
    delta: i64,
) {
    let towns = match town {
        Some(_) => vec![None, town],
        None => vec![None],
    };
    for period in PeriodKey::all_containing(at) {
        for town in &towns {
            let spec = BoardSpec {
                board,
                period: period.clone(),
                town: *town,
            };
            *updates
                .entry(spec)
                .or_default()
                .deltas
                .entry(member.encode())
                .or_default() += delta;
        }
    }
}

/// The deltas a set of (donation, sign) pairs make, per set.
pub(super) async fn donation_updates<C: ConnectionTrait>(
    conn: &C,
    changes: &[(&donation::Model, i64, Visibility)],
) -> AppResult<HashMap<BoardSpec, SetUpdate>> {
    let mut updates = HashMap::new();
    let with_donor: Vec<_> = changes
        .iter()
        .filter(|(d, _, _)| d.donor_id.is_some() && d.donor_kind.is_some())
        .collect();
    if with_donor.is_empty() {
        return Ok(updates);
    }
    let rules = rule_book_on(conn).await?;
    let mut attributions: HashMap<Board, Attribution> = HashMap::new();
    for (d, sign, visibility) in with_donor {
        let (Some(donor_id), Some(kind)) = (d.donor_id, d.donor_kind) else {
            continue;
        };
        let board = board_of(kind);
        if let std::collections::hash_map::Entry::Vacant(slot) = attributions.entry(board) {
            slot.insert(Attribution::load(conn, board, rules.clone()).await?);
        }
        let contribution = Contribution {
            donor_id,
            town_id: d.town_id,
            funding_source: d.funding_source,
            anonymous: *visibility == Visibility::Anonymous,
            rule: rules.index_at(d.donated_at),
            sums: vec![d.amount_fen],
        };
        if let Some(member) = attributions[&board].member(&contribution) {
            add_contribution(
                &mut updates,
                board,
                member,
                d.donated_at,
                d.town_id,
                sign * d.amount_fen,
            );
        }
    }
    Ok(updates)
}
