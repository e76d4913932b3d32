//! The live board: read from the cache's sorted sets when they are ready, else from the
//! database (the sets are kept current by [`super::Boards`]); public names resolved at read
//! time, so a withdrawn consent takes effect at once.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    Boards,
    aggregate::{self, Attribution},
    model::{
        ANONYMOUS_NAME, BoardSpec, Member, PeriodKey, RuleBook, Standing, competition_ranks,
        resident_display_name,
    },
    rule_book::rule_book,
    sets, totals,
};
use crate::{
    auth::Viewer,
    catalog,
    db::Db,
    entities::{
        enterprise,
        enums::{Board, Period, Role},
        resident, town,
    },
    error::AppResult,
    state::AppState,
};

pub const MAX_ENTRIES: usize = 100;

/// Where an answer came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
pub enum Source {
    /// The cache's sorted set, kept current after every write.
    Cache,
    /// The database (the cache is down, slow, flushed or not built yet).
    Database,
}

/// One public line of a board: never an id, phone or account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub rank: u32,
    pub display_name: String,
    /// Fen, or minutes on the volunteer-hours board.
    pub total: i64,
}

/// The viewer's own standing, counting their anonymous gifts too (privately).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MyRank {
    /// Competition rank among the board's entries; `None` with nothing counted yet.
    pub rank: Option<u32>,
    pub total: i64,
}

#[derive(Clone, Debug)]
pub struct Leaderboard {
    pub spec: BoardSpec,
    pub entries: Vec<Entry>,
    /// The position of the first entry on the whole board (0 = the top).
    pub offset: usize,
    /// More entries above the minimum follow this page.
    pub has_next: bool,
    /// Entries on the whole board (before the minimum to appear).
    pub entry_count: u64,
    /// Sum over the whole board.
    pub total: i64,
    /// Below this total an entry is not shown (the ranking rule in force).
    pub min_total: i64,
    pub computed_at: DateTime<Utc>,
    pub source: Source,
    pub my_rank: Option<MyRank>,
}

/// Read the board arguments: a period key (default: the current one) and a town code.
pub async fn board_spec(
    db: &Db,
    board: Board,
    period: Period,
    period_key: Option<&str>,
    town_code: Option<&str>,
) -> AppResult<BoardSpec> {
    let period = match period_key {
        Some(key) => PeriodKey::parse(period, key)?,
        None => PeriodKey::containing(period, Utc::now()),
    };
    let town = match town_code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => Some(catalog::service::town_by_code(db, code).await?.id),
        None => None,
    };
    Ok(BoardSpec {
        board,
        period,
        town,
    })
}

/// The donor whose rank the viewer asks about on this board, as members of its sets.
async fn own_members(
    db: &Db,
    viewer: Option<&Viewer>,
    board: Board,
    rules: &RuleBook,
) -> AppResult<Vec<Member>> {
    let Some(viewer) = viewer else {
        return Ok(Vec::new());
    };
    let Some(donor) = viewer.donor_id else {
        return Ok(Vec::new());
    };
    let mut donor = donor;
    match (board, viewer.role) {
        (Board::Residents | Board::VolunteerHours, Role::Resident) => {}
        (Board::Organisations, Role::Enterprise) => {
            if rules.at(Utc::now()).roll_up_branches {
                donor = enterprise_root(db, donor).await?;
            }
        }
        _ => return Ok(Vec::new()),
    }
    let mut members = vec![Member::named(donor)];
    if board != Board::VolunteerHours {
        members.push(Member {
            donor,
            anonymous: true,
        });
    }
    Ok(members)
}

async fn enterprise_root(db: &Db, id: Uuid) -> AppResult<Uuid> {
    let mut root = id;
    for _ in 0..16 {
        match enterprise::Entity::find_by_id(root)
            .one(&db.conn)
            .await?
            .and_then(|e| e.parent_id)
        {
            Some(parent) => root = parent,
            None => break,
        }
    }
    Ok(root)
}

/// One page of standings as read, before names and ranks are put on it.
struct Window {
    /// The page's standings plus one, to tell whether another page follows.
    top: Vec<Standing>,
    /// Members on the whole board, and what they total.
    count: u64,
    total: i64,
    computed_at: DateTime<Utc>,
    my_rank: Option<MyRank>,
    /// Members above the page's first entry on the whole board.
    above: usize,
    source: Source,
}

/// The board for `spec`: `first` entries from position `offset` (0 = the top), totals, and the
/// viewer's own rank. Equal totals share a rank across pages too.
#[tracing::instrument(skip(app, boards, viewer), fields(board = ?spec.board, period = spec.period.key()))]
pub async fn leaderboard(
    app: &AppState,
    boards: &Boards,
    viewer: Option<&Viewer>,
    spec: BoardSpec,
    first: usize,
    offset: usize,
) -> AppResult<Leaderboard> {
    let first = first.min(MAX_ENTRIES);
    let rules = rule_book(&app.db).await?;
    let min_total = match spec.board {
        Board::VolunteerHours => 1,
        _ => rules.at(Utc::now()).min_amount_fen.max(1),
    };
    let own = own_members(&app.db, viewer, spec.board, &rules).await?;
    let own_keys: Vec<String> = own.iter().map(Member::encode).collect();
    let window = match from_cache(app, &spec, offset, first, &own_keys).await {
        Some(window) => window,
        None => match from_totals_window(app, boards, &spec, offset, first, &own_keys).await? {
            Some(window) => window,
            None => from_database_window(app, &spec, rules, offset, first, &own_keys).await?,
        },
    };
    let Window {
        mut top,
        count,
        total,
        computed_at,
        my_rank,
        above,
        source,
    } = window;
    let has_next = top.get(first).is_some_and(|s| s.total >= min_total);
    top.truncate(first);
    let shown: Vec<Standing> = top
        .into_iter()
        .take_while(|s| s.total >= min_total)
        .collect();
    let names = display_names(&app.db, spec.board, shown.iter().map(|s| s.member.as_str())).await?;
    let ranks = page_ranks(
        &shown.iter().map(|s| s.total).collect::<Vec<_>>(),
        offset,
        above,
    );
    let entries = shown
        .into_iter()
        .zip(ranks)
        .map(|(s, rank)| Entry {
            rank,
            display_name: names
                .get(&s.member)
                .cloned()
                .unwrap_or_else(|| ANONYMOUS_NAME.to_owned()),
            total: s.total,
        })
        .collect();
    Ok(Leaderboard {
        spec,
        entries,
        offset,
        has_next,
        entry_count: count,
        total,
        min_total,
        computed_at,
        source,
        my_rank,
    })
}

/// The page from the cache's sorted set, or `None` when any part of the answer cannot be read
/// there (the set not ready, the cache down, the viewer's rank unreadable): the parts of one
/// answer always come from one source, so they agree.
async fn from_cache(
    app: &AppState,
    spec: &BoardSpec,
    offset: usize,
    first: usize,
    own_keys: &[String],
) -> Option<Window> {
    let cached = match sets::read(&app.cache, spec, offset, first + 1, own_keys).await {
        Ok(Some(cached)) => cached,
        Ok(None) => return None,
        Err(e) => {
            tracing::warn!(error = %e, "ranking cache unavailable; answering from the database");
            return None;
        }
    };
    let top: Vec<Standing> = cached
        .top
        .iter()
        .map(|(member, score)| Standing {
            member: member.clone(),
            total: score.round() as i64,
        })
        .collect();
    let my_total: i64 = cached.own.iter().flatten().map(|s| s.round() as i64).sum();
    let my_rank = match (own_keys.is_empty(), my_total > 0) {
        (true, _) => None,
        (false, false) => Some(MyRank {
            rank: None,
            total: 0,
        }),
        (false, true) => match sets::count_above(&app.cache, spec, my_total as f64).await {
            Ok(above) => Some(MyRank {
                rank: Some(above as u32 + 1),
                total: my_total,
            }),
            Err(e) => {
                tracing::warn!(error = %e, "rank lookup failed; answering from the database");
                return None;
            }
        },
    };
    // Beyond the first page, the first entry's rank counts everyone above it.
    let above = match (offset, top.first()) {
        (0, _) | (_, None) => 0,
        (_, Some(s)) => match sets::count_above(&app.cache, spec, s.total as f64).await {
            Ok(above) => above as usize,
            Err(e) => {
                tracing::warn!(error = %e, "rank lookup failed; answering from the database");
                return None;
            }
        },
    };
    Some(Window {
        top,
        count: cached.count,
        total: cached.sum,
        computed_at: DateTime::from_timestamp_millis(cached.updated_ms).unwrap_or_else(Utc::now),
        my_rank,
        above,
        source: Source::Cache,
    })
}

/// The page from the running totals in the database, when they are built: an index read
/// however long the ledger. The set, if the cache can take it, is rebuilt in the background.
async fn from_totals_window(
    app: &AppState,
    boards: &Boards,
    spec: &BoardSpec,
    offset: usize,
    first: usize,
    own_keys: &[String],
) -> AppResult<Option<Window>> {
    let conn = &app.db.conn;
    if !boards.totals_built().await? {
        return Ok(None);
    }
    let page = totals::page(conn, spec, offset, first + 1).await?;
    let my_rank = if own_keys.is_empty() {
        None
    } else {
        let total = totals::total_of(conn, spec, own_keys).await?;
        Some(if total > 0 {
            MyRank {
                rank: Some(totals::count_above(conn, spec, total).await? as u32 + 1),
                total,
            }
        } else {
            MyRank {
                rank: None,
                total: 0,
            }
        })
    };
    // While the cache is known to be down, a rebuild could not claim the set anyway.
    if !app.cache.cooling_down() {
        let (app, spec_to_build) = (app.clone(), spec.clone());
        tokio::spawn(async move {
            if let Err(e) = rebuild_set(&app, &spec_to_build).await {
                tracing::debug!(
                    error = e.message(),
                    "could not rebuild a ranking set on read"
                );
            }
        });
    }
    Ok(Some(Window {
        top: page.top,
        count: page.count,
        total: page.sum,
        computed_at: Utc::now(),
        my_rank,
        above: page.above,
        source: Source::Database,
    }))
}

/// Claim `spec`'s set and rebuild it from the ledger, unless the cache is unreachable or
/// another process is building it.
async fn rebuild_set(app: &AppState, spec: &BoardSpec) -> AppResult<()> {
    let Ok(Some(token)) = sets::begin(&app.cache, spec, false).await else {
        return Ok(());
    };
    let (standings, snapshot_done) = summed(app, spec, rule_book(&app.db).await?).await?;
    publish_set(
        &app.cache.patient(),
        spec,
        &token,
        &standings,
        snapshot_done,
    )
    .await;
    Ok(())
}

/// The whole board summed over the ledger, and when that snapshot was taken.
async fn summed(
    app: &AppState,
    spec: &BoardSpec,
    rules: RuleBook,
) -> AppResult<(Vec<Standing>, DateTime<Utc>)> {
    let attribution = Attribution::load(&app.db.conn, spec.board, rules).await?;
    let contributions = aggregate::grouped(&app.db.conn, spec, attribution.rules(), &[]).await?;
    let snapshot_done = Utc::now();
    Ok((attribution.standings(&contributions, 0), snapshot_done))
}

async fn publish_set(
    cache: &crate::cache::Cache,
    spec: &BoardSpec,
    token: &str,
    standings: &[Standing],
    snapshot_done: DateTime<Utc>,
) {
    match sets::publish(cache, spec, token, standings, snapshot_done).await {
        Ok(outcome) => tracing::debug!(?outcome, key = %spec.zset_key(), "set rebuilt on read"),
        Err(e) => tracing::warn!(error = %e, "could not rebuild a ranking set"),
    }
}

/// The page computed from the database (which also rebuilds the set in the background).
async fn from_database_window(
    app: &AppState,
    spec: &BoardSpec,
    rules: RuleBook,
    offset: usize,
    first: usize,
    own_keys: &[String],
) -> AppResult<Window> {
    let standings = from_database(app, spec, rules).await?;
    let my_rank = (!own_keys.is_empty()).then(|| rank_in(&standings, own_keys));
    let total = standings.iter().map(|s| s.total).sum();
    let count = standings.len() as u64;
    let above = standings.get(offset).map_or(0, |first| {
        standings
            .iter()
            .take_while(|s| s.total > first.total)
            .count()
    });
    let top: Vec<Standing> = standings.into_iter().skip(offset).take(first + 1).collect();
    Ok(Window {
        top,
        count,
        total,
        computed_at: Utc::now(),
        my_rank,
        above,
        source: Source::Database,
    })
}

/// Competition ranks of a page that starts at `offset` on the whole board, where `above`
/// members total more than the page's first entry: entries tied with it share its rank.
fn page_ranks(totals: &[i64], offset: usize, above: usize) -> Vec<u32> {
    let first = totals.first().copied();
    competition_ranks(totals)
        .into_iter()
        .zip(totals)
        .map(|(local, total)| {
            if Some(*total) == first {
                above as u32 + 1
            } else {
                offset as u32 + local
            }
        })
        .collect()
}

fn rank_in(standings: &[Standing], own: &[String]) -> MyRank {
    let total: i64 = standings
        .iter()
        .filter(|s| own.contains(&s.member))
        .map(|s| s.total)
        .sum();
    if total <= 0 {
        return MyRank {
            rank: None,
            total: 0,
        };
    }
    let above = standings.iter().take_while(|s| s.total > total).count();
    MyRank {
        rank: Some(above as u32 + 1),
        total,
    }
}

/// The whole board from the database. When the cache is reachable and the set is not ready,
/// this read also rebuilds it: the build is claimed *before* the database read, and published
/// in the background.
async fn from_database(
    app: &AppState,
    spec: &BoardSpec,
    rules: RuleBook,
) -> AppResult<Vec<Standing>> {
    let token = sets::begin(&app.cache, spec, false)
        .await
        .unwrap_or_default();
    let (standings, snapshot_done) = summed(app, spec, rules).await?;
    if let Some(token) = token {
        let (cache, spec, standings) = (app.cache.patient(), spec.clone(), standings.clone());
        tokio::spawn(async move {
            publish_set(&cache, &spec, &token, &standings, snapshot_done).await;
        });
    }
    Ok(standings)
}

/// Public names for members, resolved now from the database (never stored in the cache).
pub async fn display_names<'a>(
    db: &Db,
    board: Board,
    members: impl IntoIterator<Item = &'a str>,
) -> AppResult<HashMap<String, String>> {
    let members: Vec<(String, Member)> = members
        .into_iter()
        .filter_map(|m| Member::decode(m).map(|d| (m.to_owned(), d)))
        .collect();
    let ids: Vec<Uuid> = members
        .iter()
        .filter(|(_, m)| !m.anonymous)
        .map(|(_, m)| m.donor)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut names: HashMap<Uuid, String> = HashMap::new();
    if !ids.is_empty() {
        match board {
            Board::Residents | Board::VolunteerHours => {
                for r in resident::Entity::find()
                    .filter(resident::Column::Id.is_in(ids))
                    .all(&db.conn)
                    .await?
                {
                    names.insert(
                        r.id,
                        resident_display_name(&r.name, r.name_consent, r.name_style),
                    );
                }
            }
            Board::Organisations => {
                for e in enterprise::Entity::find()
                    .filter(enterprise::Column::Id.is_in(ids))
                    .all(&db.conn)
                    .await?
                {
                    names.insert(e.id, e.name);
                }
            }
        }
    }
    Ok(members
        .into_iter()
        .map(|(key, m)| {
            let name = if m.anonymous {
                ANONYMOUS_NAME.to_owned()
            } else {
                names
                    .get(&m.donor)
                    .cloned()
                    .unwrap_or_else(|| ANONYMOUS_NAME.to_owned())
            };
            (key, name)
        })
        .collect())
}

/// Towns by id, for showing a board's town.
pub async fn town(db: &Db, id: Uuid) -> AppResult<Option<town::Model>> {
    Ok(town::Entity::find_by_id(id).one(&db.conn).await?)
}
