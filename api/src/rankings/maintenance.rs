//! `api leaderboard rebuild` and `verify`: restore every set from the database in bulk, and
//! report each place where the cache and the database disagree.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    fmt,
    time::{Duration, Instant},
};

use chrono::Utc;
use sea_orm::EntityTrait;
use uuid::Uuid;

use super::{
    aggregate::{self, Attribution, Bucket, Contribution},
    model::{BoardSpec, PeriodKey, Standing},
    rule_book::rule_book,
    sets::{self, BuildOutcome},
};
use crate::{
    cache::{Cache, CacheError},
    db::Db,
    entities::{
        enums::{Board, Period},
        town,
    },
    error::{AppError, AppResult},
};

fn unavailable(e: CacheError) -> AppError {
    AppError::Unavailable(format!("cache: {e}"))
}

const BOARDS: [Board; 3] = [
    Board::Residents,
    Board::Organisations,
    Board::VolunteerHours,
];

/// The sets kept built at all times: every board's current month, quarter, year and all time,
/// for the district and each town. Past periods are built on demand and expire.
pub async fn standing_specs(db: &Db) -> AppResult<Vec<BoardSpec>> {
    let towns: Vec<Option<Uuid>> = std::iter::once(None)
        .chain(
            town::Entity::find()
                .all(&db.conn)
                .await?
                .into_iter()
                .map(|t| Some(t.id)),
        )
        .collect();
    let now = Utc::now();
    let mut specs = Vec::new();
    for board in BOARDS {
        for period in PeriodKey::all_containing(now) {
            for town in &towns {
                specs.push(BoardSpec {
                    board,
                    period: period.clone(),
                    town: *town,
                });
            }
        }
    }
    Ok(specs)
}

/// The standing sets plus every set the cache describes now.
async fn every_spec(db: &Db, cache: &Cache) -> AppResult<Vec<BoardSpec>> {
    let mut specs = standing_specs(db).await?;
    let mut seen: HashSet<BoardSpec> = specs.iter().cloned().collect();
    for spec in sets::known_specs(cache).await.map_err(unavailable)? {
        if seen.insert(spec.clone()) {
            specs.push(spec);
        }
    }
    Ok(specs)
}

/// One pass over a board's ledger that yields the standings of many of its sets.
struct BoardPass {
    attribution: Attribution,
    contributions: Vec<Contribution>,
    bucket_of: HashMap<PeriodKey, usize>,
}

impl BoardPass {
    async fn run(db: &Db, board: Board, specs: &[&BoardSpec]) -> AppResult<Self> {
        let rules = rule_book(db).await?;
        let attribution = Attribution::load(&db.conn, board, rules).await?;
        let mut buckets: Vec<Bucket> = Vec::new();
        let mut bucket_of = HashMap::new();
        for spec in specs {
            if let Some(range) = spec.period.range()
                && !bucket_of.contains_key(&spec.period)
            {
                buckets.push(range);
                bucket_of.insert(spec.period.clone(), buckets.len());
            }
        }
        let whole = BoardSpec {
            board,
            period: PeriodKey::all_time(),
            town: None,
        };
        let contributions =
            aggregate::grouped(&db.conn, &whole, attribution.rules(), &buckets).await?;
        Ok(Self {
            attribution,
            contributions,
            bucket_of,
        })
    }

    fn standings(&self, spec: &BoardSpec) -> Vec<Standing> {
        let bucket = match spec.period.period() {
            Period::AllTime => 0,
            _ => self.bucket_of.get(&spec.period).copied().unwrap_or(0),
        };
        self.attribution.standings(
            self.contributions
                .iter()
                .filter(|c| spec.town.is_none() || c.town_id == spec.town),
            bucket,
        )
    }
}

#[derive(Debug, Default)]
pub struct RebuildReport {
    pub sets: usize,
    pub members: usize,
    /// Sets that a concurrent write made discard their first build and that were built again.
    pub retried: usize,
    /// Sets still not rebuilt (writes kept arriving); the database answers for them.
    pub not_rebuilt: Vec<String>,
    pub elapsed: Duration,
}

impl fmt::Display for RebuildReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "rebuilt {} sets ({} members) in {:.2} s",
            self.sets,
            self.members,
            self.elapsed.as_secs_f64()
        )?;
        if self.retried > 0 {
            write!(
                f,
                "; {} rebuilt again after concurrent writes",
                self.retried
            )?;
        }
        for key in &self.not_rebuilt {
            write!(f, "\nnot rebuilt (still changing): {key}")?;
        }
        Ok(())
    }
}

/// Rebuild one set from the database, taking it over from any build in progress.
pub async fn rebuild_one(db: &Db, cache: &Cache, spec: &BoardSpec) -> AppResult<BuildOutcome> {
    let Some(token) = sets::begin(cache, spec, true).await.map_err(unavailable)? else {
        return Ok(BuildOutcome::Lost);
    };
    let pass = BoardPass::run(db, spec.board, &[spec]).await?;
    let snapshot_done = Utc::now();
    let standings = pass.standings(spec);
    sets::publish(cache, spec, &token, &standings, snapshot_done)
        .await
        .map_err(unavailable)
}

/// Restore every set from the database: one grouped read per board, staging sets loaded with
/// pipelined ZADDs, each published atomically.
#[tracing::instrument(skip(db, cache))]
pub async fn rebuild_all(db: &Db, cache: &Cache) -> AppResult<RebuildReport> {
    let started = Instant::now();
    let specs = every_spec(db, cache).await?;
    let mut report = RebuildReport::default();
    let mut again = Vec::new();
    for board in BOARDS {
        let board_specs: Vec<&BoardSpec> = specs.iter().filter(|s| s.board == board).collect();
        // Claim every set before reading the database, so writes during the read are seen.
        let mut tokens = Vec::with_capacity(board_specs.len());
        for spec in &board_specs {
            tokens.push(sets::begin(cache, spec, true).await.map_err(unavailable)?);
        }
        let pass = BoardPass::run(db, board, &board_specs).await?;
        let snapshot_done = Utc::now();
        for (spec, token) in board_specs.iter().zip(tokens) {
            let standings = pass.standings(spec);
            let outcome = match token {
                Some(token) => sets::publish(cache, spec, &token, &standings, snapshot_done)
                    .await
                    .map_err(unavailable)?,
                None => BuildOutcome::Lost,
            };
            if outcome == BuildOutcome::Published {
                report.sets += 1;
                report.members += standings.len();
            } else {
                again.push((*spec).clone());
            }
        }
    }
    for spec in again {
        report.retried += 1;
        let mut done = false;
        for _ in 0..3 {
            if rebuild_one(db, cache, &spec).await? == BuildOutcome::Published {
                done = true;
                break;
            }
        }
        if done {
            report.sets += 1;
        } else {
            report.not_rebuilt.push(spec.zset_key());
        }
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// One disagreement between the cache and the database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Difference {
    /// The set is not ready (never built, flushed or invalidated): reads use the database.
    NotReady { set: String },
    /// In the database, not in the cache.
    Missing {
        set: String,
        member: String,
        expected: i64,
    },
    /// In the cache, not in the database.
    Extra {
        set: String,
        member: String,
        actual: i64,
    },
    Total {
        set: String,
        member: String,
        expected: i64,
        actual: i64,
    },
    Sum {
        set: String,
        expected: i64,
        actual: i64,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotReady { set } => write!(f, "{set}: not built"),
            Self::Missing {
                set,
                member,
                expected,
            } => write!(f, "{set}: {member} missing (database {expected})"),
            Self::Extra {
                set,
                member,
                actual,
            } => write!(f, "{set}: {member} not in the database (cache {actual})"),
            Self::Total {
                set,
                member,
                expected,
                actual,
            } => write!(f, "{set}: {member} database {expected}, cache {actual}"),
            Self::Sum {
                set,
                expected,
                actual,
            } => write!(f, "{set}: sum database {expected}, cache {actual}"),
        }
    }
}

#[derive(Debug, Default)]
pub struct VerifyReport {
    pub sets: usize,
    pub differences: Vec<Difference>,
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.differences {
            writeln!(f, "{d}")?;
        }
        write!(
            f,
            "checked {} sets: {} differences",
            self.sets,
            self.differences.len()
        )
    }
}

/// Compare every set with the database. (Writes while it runs can show up as differences.)
#[tracing::instrument(skip(db, cache))]
pub async fn verify_all(db: &Db, cache: &Cache) -> AppResult<VerifyReport> {
    let specs = every_spec(db, cache).await?;
    let mut report = VerifyReport::default();
    for board in BOARDS {
        let board_specs: Vec<&BoardSpec> = specs.iter().filter(|s| s.board == board).collect();
        let pass = BoardPass::run(db, board, &board_specs).await?;
        for spec in board_specs {
            report.sets += 1;
            let set = spec.zset_key();
            let Some((actual, actual_sum)) =
                sets::read_all(cache, spec).await.map_err(unavailable)?
            else {
                report.differences.push(Difference::NotReady { set });
                continue;
            };
            let expected: BTreeMap<String, i64> = pass
                .standings(spec)
                .into_iter()
                .map(|s| (s.member, s.total))
                .collect();
            for (member, &e) in &expected {
                match actual.get(member) {
                    None => report.differences.push(Difference::Missing {
                        set: set.clone(),
                        member: member.clone(),
                        expected: e,
                    }),
                    Some(&a) if a != e => report.differences.push(Difference::Total {
                        set: set.clone(),
                        member: member.clone(),
                        expected: e,
                        actual: a,
                    }),
                    Some(_) => {}
                }
            }
            let mut extra: Vec<_> = actual
                .iter()
                .filter(|(m, _)| !expected.contains_key(*m))
                .collect();
            extra.sort();
            for (member, &a) in extra {
                report.differences.push(Difference::Extra {
                    set: set.clone(),
                    member: member.clone(),
                    actual: a,
                });
            }
            let expected_sum: i64 = expected.values().sum();
            if expected_sum != actual_sum {
                report.differences.push(Difference::Sum {
                    set,
                    expected: expected_sum,
                    actual: actual_sum,
                });
            }
        }
    }
    Ok(report)
}
