//! Background upkeep of the ranking sets in Redis, so that a cache that was stopped, flushed,
//! restarted or that missed a write comes back equal to the database without anyone running
//! `api leaderboard rebuild`.
//!
//! Each process looks every `RANKING_RECONCILE_SECS`:
//! - Redis unreachable: remember it. Writes meanwhile could not be applied to the sets, and a
//!   Redis that restarts from its own disk would bring back sets that miss them.
//! - Redis back after that, or a post-commit update failed in this process: invalidate every
//!   set (readers fall back to the database at once) and rebuild the standing sets.
//! - The mark this task wrote is gone (FLUSHALL, or a restart without persistence): rebuild
//!   the standing sets, so the first readers after a flush are not all served by the database.
//!   (Not the epoch: a reader's rebuild of one set writes a new epoch before the task looks.)
//!
//! And every `RANKING_REBUILD_SECS` one process (the first to claim the slot) rebuilds every
//! set: the backstop for a write whose process died between its commit and its set update.

use std::time::Duration;

use super::Boards;
use super::{
    maintenance,
    model::upkeep_mark_key,
    sets::{self, Proof, SetUpdate, Ticket},
};
use crate::{cache::Cache, config::Settings};

/// What the task remembers between looks.
#[derive(Default)]
struct Watch {
    /// The cache was unreachable at some look since the last successful restore.
    was_unreachable: bool,
    /// This process has seen the upkeep mark, so its absence means the sets were lost.
    saw_mark: bool,
    /// Some standing sets could not be rebuilt yet (writes kept arriving during the build).
    unfinished: bool,
}

/// Start the upkeep task of a serving process. (The in-process cache cannot become
/// unreachable, but the same task restores it after it is cleared.)
pub fn spawn(boards: &Boards, settings: &Settings) {
    let every = settings.ranking_reconcile_secs;
    let rebuild_every = settings.ranking_rebuild_secs;
    if every == 0 {
        return;
    }
    // Rebuilds load whole sets: give them time, and keep their slowness away from requests.
    let app = boards.with_cache(boards.cache().patient());
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_secs(every));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut watch = Watch::default();
        // The full rebuild runs at the turn of each slot, never at start: a fresh process
        // (or a rolling restart of all of them) does not rebuild everything at once.
        let mut slot = rebuild_slot(rebuild_every);
        loop {
            ticker.tick().await;
            look(&app, &mut watch).await;
            let now = rebuild_slot(rebuild_every);
            if now != slot {
                slot = now;
                if let Some(slot) = slot {
                    periodic_rebuild(&app, slot, rebuild_every).await;
                }
            }
        }
    });
}

async fn look(app: &Boards, watch: &mut Watch) {
    let marked = match app.cache().get(&upkeep_mark_key()).await {
        Ok(mark) => mark.is_some(),
        Err(e) => {
            if !watch.was_unreachable {
                tracing::warn!(error = %e, "ranking cache unreachable; boards answer from the database");
            }
            watch.was_unreachable = true;
            return;
        }
    };
    let flushed = watch.saw_mark && !marked;
    watch.saw_mark |= marked;
    let untrusted = watch.was_unreachable || app.upkeep().take_missed();
    let invalidated = app.upkeep().take_invalidated();
    if !untrusted && !flushed && !invalidated && !watch.unfinished {
        if !marked {
            // A cache this process has not seen before: mark it, so losing it shows.
            watch.saw_mark = mark(app.cache()).await;
        }
        return;
    }
    if untrusted && let Err(e) = invalidate_all(app.cache()).await {
        tracing::warn!(error = %e, "could not invalidate the ranking sets; will retry");
        app.upkeep().report_missed_update();
        return;
    }
    match restore_standing_sets(app).await {
        Ok((rebuilt, unfinished)) => {
            tracing::info!(
                rebuilt,
                unfinished,
                after = if untrusted {
                    "an outage"
                } else if flushed {
                    "a flush"
                } else {
                    "an invalidation"
                },
                "ranking sets restored from the database"
            );
            watch.was_unreachable = false;
            watch.saw_mark = mark(app.cache()).await;
            watch.unfinished = unfinished > 0;
        }
        Err(e) => {
            tracing::warn!(
                error = e.message(),
                "could not restore the ranking sets; will retry"
            );
            // Keep the reason, so the next look tries again.
            if untrusted {
                app.upkeep().report_missed_update();
            }
            if invalidated {
                app.upkeep().report_invalidated();
            }
        }
    }
}

/// Write the upkeep mark; whether it was written.
async fn mark(cache: &Cache) -> bool {
    cache.set(&upkeep_mark_key(), "1", None).await.is_ok()
}

/// Mark every set the cache describes as not ready and give the board a new version.
async fn invalidate_all(cache: &Cache) -> Result<(), crate::cache::CacheError> {
    let updates = sets::known_specs(cache)
        .await?
        .into_iter()
        .map(|spec| (spec, SetUpdate::default()))
        .collect();
    sets::apply(cache, &Proof::Ticket(Ticket::unknown()), &updates).await?;
    sets::bump_version(cache).await
}

/// Rebuild the standing sets (current periods, district and towns) that are not ready:
/// how many were rebuilt, and how many are still not ready (a write during the build makes
/// it discard itself; the next look tries again).
async fn restore_standing_sets(app: &Boards) -> crate::error::AppResult<(usize, usize)> {
    let (mut rebuilt, mut unfinished) = (0, 0);
    for spec in maintenance::standing_specs(app.db()).await? {
        if sets::is_ready(app.cache(), &spec).await.unwrap_or(false) {
            continue;
        }
        match maintenance::rebuild_one(app.db(), app.cache(), &spec).await? {
            sets::BuildOutcome::Published => rebuilt += 1,
            sets::BuildOutcome::Dirty | sets::BuildOutcome::Lost => unfinished += 1,
        }
    }
    Ok((rebuilt, unfinished))
}

/// Which full-rebuild slot the clock is in; `None` when the rebuild is off.
fn rebuild_slot(every: u64) -> Option<i64> {
    (every > 0).then(|| crate::cache::unix_millis() / 1000 / every as i64)
}

/// The hourly (by default) full rebuild, by whichever process claims the slot first.
async fn periodic_rebuild(app: &Boards, slot: i64, every: u64) {
    let claim = format!("{}:rebuild:{slot}", super::model::TAG);
    // The first increment in this slot wins; the key outlives the slot.
    let claimed = app
        .cache()
        .incr(&claim, Duration::from_secs(every.saturating_mul(2)))
        .await;
    if let Ok(1) = claimed {
        match maintenance::rebuild_all(app.db(), app.cache()).await {
            Ok(report) => tracing::info!(%report, "periodic ranking rebuild"),
            Err(e) => tracing::warn!(error = e.message(), "periodic ranking rebuild failed"),
        }
    }
}
