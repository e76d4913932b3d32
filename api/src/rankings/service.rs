//! The live board: read from the cache's sorted sets when they are ready, else from the
//! database; kept current after every committed donation, void and certification; public
//! names resolved at read time, so a withdrawn consent takes effect at once.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::{
    aggregate::{self, Attribution, Contribution},
    model::{
        ANONYMOUS_NAME, BoardSpec, Member, PeriodKey, RuleBook, Standing, competition_ranks,
        resident_display_name,
    },
    sets::{self, Proof, SetOutcome, SetUpdate, Ticket},
};
use crate::{
    auth::Viewer,
    catalog,
    db::Db,
    entities::{
        donation, enterprise,
        enums::{Board, DonationStatus, DonorKind, NameStyle, Period, Role, Visibility},
        hour_certification, ranking_rule, resident, town,
    },
    error::{AppError, AppResult},
    money::Fen,
    startup::AppState,
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

pub async fn rule_book(db: &Db) -> AppResult<RuleBook> {
    Ok(RuleBook::new(
        ranking_rule::Entity::find().all(&db.conn).await?,
    ))
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

/// The board for `spec`: `first` entries from position `offset` (0 = the top), totals, and the
/// viewer's own rank. Equal totals share a rank across pages too.
#[tracing::instrument(skip(app, viewer), fields(board = ?spec.board, period = spec.period.key()))]
pub async fn leaderboard(
    app: &AppState,
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

    // One more than the page, to tell whether another follows.
    let mut board = match sets::read(&app.cache, &spec, offset, first + 1, &own_keys).await {
        Ok(Some(cached)) => {
            let top: Vec<Standing> = cached
                .top
                .iter()
                .map(|(member, score)| Standing {
                    member: member.clone(),
                    total: score.round() as i64,
                })
                .collect();
            let my_total: i64 = cached.own.iter().flatten().map(|s| s.round() as i64).sum();
            let my_rank = match (own.is_empty(), my_total > 0) {
                (true, _) => None,
                (false, false) => Some(MyRank {
                    rank: None,
                    total: 0,
                }),
                (false, true) => {
                    match sets::count_above(&app.cache, &spec, my_total as f64).await {
                        Ok(above) => Some(MyRank {
                            rank: Some(above as u32 + 1),
                            total: my_total,
                        }),
                        Err(e) => {
                            tracing::warn!(error = %e, "rank lookup failed; answering from the database");
                            None
                        }
                    }
                }
            };
            let computed_at =
                DateTime::from_timestamp_millis(cached.updated_ms).unwrap_or_else(Utc::now);
            // Beyond the first page, the first entry's rank counts everyone above it.
            let above = match (offset, top.first()) {
                (0, _) | (_, None) => Some(0),
                (_, Some(s)) => match sets::count_above(&app.cache, &spec, s.total as f64).await {
                    Ok(above) => Some(above as usize),
                    Err(e) => {
                        tracing::warn!(error = %e, "rank lookup failed; answering from the database");
                        None
                    }
                },
            };
            Some((top, cached.count, cached.sum, computed_at, my_rank, above))
        }
        Ok(None) => None,
        Err(e) => {
            tracing::warn!(error = %e, "ranking cache unavailable; answering from the database");
            None
        }
    };
    // A logged-in viewer whose rank could not be read from the cache gets the whole answer
    // from the database, so the parts of one answer always agree.
    if board
        .as_ref()
        .is_some_and(|b| (!own.is_empty() && b.4.is_none()) || b.5.is_none())
    {
        board = None;
    }
    let (mut top, count, total, computed_at, my_rank, above, source) = match board {
        Some((top, count, total, at, my_rank, above)) => (
            top,
            count,
            total,
            at,
            my_rank,
            above.unwrap_or(0),
            Source::Cache,
        ),
        None => {
            let standings = from_database(app, &spec, rules).await?;
            let my_rank = (!own.is_empty()).then(|| rank_in(&standings, &own_keys));
            let total = standings.iter().map(|s| s.total).sum();
            let count = standings.len() as u64;
            let above = standings.get(offset).map_or(0, |first| {
                standings
                    .iter()
                    .take_while(|s| s.total > first.total)
                    .count()
            });
            let top: Vec<Standing> = standings.into_iter().skip(offset).take(first + 1).collect();
            (
                top,
                count,
                total,
                Utc::now(),
                my_rank,
                above,
                Source::Database,
            )
        }
    };
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
    let attribution = Attribution::load(&app.db, spec.board, rules).await?;
    let contributions = aggregate::grouped(&app.db, spec, attribution.rules(), &[]).await?;
    let snapshot_done = Utc::now();
    let standings = attribution.standings(&contributions, 0);
    if let Some(token) = token {
        let (cache, spec, standings) = (app.cache.patient(), spec.clone(), standings.clone());
        tokio::spawn(async move {
            match sets::publish(&cache, &spec, &token, &standings, snapshot_done).await {
                Ok(outcome) => {
                    tracing::debug!(?outcome, key = %spec.zset_key(), "set rebuilt on read")
                }
                Err(e) => tracing::warn!(error = %e, "could not rebuild a ranking set"),
            }
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

// ---- keeping the sets current -------------------------------------------------------------

/// Read before a donation write's transaction; hand it to the hook after the commit.
pub async fn write_ticket(app: &AppState) -> Ticket {
    sets::ticket(&app.cache).await
}

fn board_of(kind: DonorKind) -> Board {
    match kind {
        DonorKind::Resident => Board::Residents,
        DonorKind::Enterprise => Board::Organisations,
    }
}

fn add_contribution(
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
async fn donation_updates(
    db: &Db,
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
    let rules = rule_book(db).await?;
    let mut attributions: HashMap<Board, Attribution> = HashMap::new();
    for (d, sign, visibility) in with_donor {
        let (Some(donor_id), Some(kind)) = (d.donor_id, d.donor_kind) else {
            continue;
        };
        let board = board_of(kind);
        if let std::collections::hash_map::Entry::Vacant(slot) = attributions.entry(board) {
            slot.insert(Attribution::load(db, board, rules.clone()).await?);
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

/// Apply deltas after a commit; never fails the request. A cache that cannot be reached is
/// told later (in the background) to drop the sets, so nobody serves them short, and the
/// upkeep task restores them once it answers again.
async fn commit_updates(app: &AppState, proof: Proof, updates: HashMap<BoardSpec, SetUpdate>) {
    let cache = &app.cache;
    match sets::apply(cache, &proof, &updates).await {
        Ok(outcomes) => {
            for (spec, applied) in outcomes {
                if applied == SetOutcome::Invalidated {
                    tracing::info!(key = %spec.zset_key(), "ranking set invalidated; it will be rebuilt");
                    app.upkeep.report_invalidated();
                }
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "ranking cache update failed; invalidating later");
            app.upkeep.report_missed_update();
            sets::invalidate_later(
                cache.clone(),
                app.upkeep.clone(),
                updates.into_keys().collect(),
            );
        }
    }
}

async fn after_donations(
    app: &AppState,
    ticket: Ticket,
    changes: &[(&donation::Model, i64, Visibility)],
) {
    let updates = match donation_updates(&app.db, changes).await {
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
            commit_updates(app, Proof::Ticket(Ticket::unknown()), all).await;
            return;
        }
    };
    commit_updates(app, Proof::Ticket(ticket), updates).await;
}

/// After a void committed: the donation leaves every board it was on.
pub async fn on_donation_voided(app: &AppState, ticket: Ticket, d: &donation::Model) {
    after_donations(app, ticket, &[(d, -1, d.visibility)]).await;
}

/// After donations were recorded (fresh, not idempotent replays) or imported, with the
/// ticket read before their transaction.
pub async fn on_donations_recorded(app: &AppState, ticket: Ticket, ds: &[donation::Model]) {
    let changes: Vec<_> = ds.iter().map(|d| (d, 1, d.visibility)).collect();
    after_donations(app, ticket, &changes).await;
}

/// After a certification of volunteer hours committed. Its own timestamp was set inside its
/// transaction, before the commit, which proves no snapshot taken earlier contains it.
pub async fn on_hours_certified(app: &AppState, cert: &hour_certification::Model) {
    let updates = hours_updates(app, cert, i64::from(cert.minutes)).await;
    commit_updates(app, Proof::Time(cert.certified_at), updates).await;
}

/// After a certification's minutes changed by `delta_minutes` (a dispute upheld), with the
/// ticket read before that change's transaction.
pub async fn on_hours_changed(
    app: &AppState,
    ticket: Ticket,
    cert: &hour_certification::Model,
    delta_minutes: i64,
) {
    let updates = hours_updates(app, cert, delta_minutes).await;
    commit_updates(app, Proof::Ticket(ticket), updates).await;
}

async fn hours_updates(
    app: &AppState,
    cert: &hour_certification::Model,
    delta_minutes: i64,
) -> HashMap<BoardSpec, SetUpdate> {
    let town = match resident::Entity::find_by_id(cert.resident_id)
        .one(&app.db.conn)
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

/// Give every board a new version (a write changed names or rules, not totals).
pub async fn board_changed(app: &AppState) {
    if let Err(e) = sets::bump_version(&app.cache).await {
        tracing::warn!(error = %e, "could not bump the board version; retrying in the background");
        sets::invalidate_later(app.cache.clone(), app.upkeep.clone(), Vec::new());
    }
}

// ---- privacy ------------------------------------------------------------------------------

/// The resident's public-name choice after a change.
#[derive(Clone, Debug)]
pub struct NameChoice {
    pub consent: bool,
    pub style: NameStyle,
    /// How the resident appears on public boards now.
    pub public_name: String,
}

/// Give or withdraw the separate consent (PIPL art. 25) to appear by name. Names are resolved
/// when a board is read, so this takes effect on the next read; the version bump keeps any
/// cached response from outliving it.
#[tracing::instrument(skip(app, viewer))]
pub async fn set_public_name_consent(
    app: &AppState,
    viewer: &Viewer,
    consent: bool,
    style: Option<NameStyle>,
) -> AppResult<NameChoice> {
    if viewer.role != Role::Resident {
        return Err(AppError::forbidden(
            "only a resident chooses how their name appears",
        ));
    }
    let id = viewer.require_donor()?;
    let txn = app.db.begin_write().await?;
    let current = resident::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or_else(|| AppError::not_found("resident"))?;
    let now = Utc::now();
    let mut model: resident::ActiveModel = current.clone().into();
    model.name_consent = Set(consent);
    if let Some(style) = style {
        model.name_style = Set(style);
    }
    if consent && !current.name_consent {
        model.consent_given_at = Set(Some(now));
    }
    if !consent && current.name_consent {
        model.consent_withdrawn_at = Set(Some(now));
    }
    let updated = model.update(&*txn).await?;
    txn.commit().await?;
    board_changed(app).await;
    Ok(NameChoice {
        consent: updated.name_consent,
        style: updated.name_style,
        public_name: resident_display_name(&updated.name, updated.name_consent, updated.name_style),
    })
}

/// Change how one of the viewer's own donations appears. Moving a donation to or from
/// ANONYMOUS moves its amount between the donor's named and anonymous entries.
#[tracing::instrument(skip(app, viewer))]
pub async fn set_donation_visibility(
    app: &AppState,
    viewer: &Viewer,
    donation_id: Uuid,
    visibility: Visibility,
) -> AppResult<donation::Model> {
    let donor = viewer.require_donor()?;
    let ticket = write_ticket(app).await;
    let txn = app.db.begin_write().await?;
    let current = donation::Entity::find_by_id(donation_id)
        .one(&*txn)
        .await?
        .filter(|d| d.donor_id == Some(donor))
        .ok_or_else(|| AppError::not_found("donation"))?;
    if current.visibility == visibility {
        return Ok(current);
    }
    let mut model: donation::ActiveModel = current.clone().into();
    model.visibility = Set(visibility);
    let updated = model.update(&*txn).await?;
    txn.commit().await?;
    if current.status == DonationStatus::Confirmed {
        after_donations(
            app,
            ticket,
            &[
                (&current, -1, current.visibility),
                (&updated, 1, visibility),
            ],
        )
        .await;
    } else {
        board_changed(app).await;
    }
    Ok(updated)
}

// ---- ranking rules ------------------------------------------------------------------------

/// A new dated ranking rule, from input.
#[derive(Clone, Debug)]
pub struct NewRankingRule {
    pub effective_from: DateTime<Utc>,
    pub exclude_government_matching: bool,
    pub exclude_charity_transfers: bool,
    pub roll_up_branches: bool,
    pub min_amount: Fen,
}

pub async fn ranking_rules(db: &Db) -> AppResult<Vec<ranking_rule::Model>> {
    Ok(ranking_rule::Entity::find()
        .order_by_desc(ranking_rule::Column::EffectiveFrom)
        .all(&db.conn)
        .await?)
}

/// Add a rule. Like credit rules, it applies from its date on: the past keeps the rules it
/// had, so published editions and the sets never change retroactively.
#[tracing::instrument(skip(app, viewer))]
pub async fn create_ranking_rule(
    app: &AppState,
    viewer: &Viewer,
    input: NewRankingRule,
) -> AppResult<ranking_rule::Model> {
    if !viewer.is_admin() {
        return Err(AppError::forbidden(
            "only the civil-affairs bureau sets ranking rules",
        ));
    }
    let now = Utc::now();
    if input.effective_from < now - chrono::Duration::minutes(1) {
        return Err(AppError::bad_field(
            "effectiveFrom",
            "a ranking rule takes effect now or later; the past keeps its rules",
        ));
    }
    if input.min_amount.get() < 0 {
        return Err(AppError::bad_field(
            "minAmount",
            "the minimum cannot be negative",
        ));
    }
    let txn = app.db.begin_write().await?;
    let rule = ranking_rule::ActiveModel {
        id: Set(Uuid::now_v7()),
        effective_from: Set(input.effective_from.max(now)),
        exclude_government_matching: Set(input.exclude_government_matching),
        exclude_charity_transfers: Set(input.exclude_charity_transfers),
        roll_up_branches: Set(input.roll_up_branches),
        min_amount_fen: Set(input.min_amount.get()),
        created_by: Set(Some(viewer.account_id)),
        created_at: Set(now),
    }
    .insert(&*txn)
    .await
    .map_err(|e| AppError::on_unique(e, "a rule already takes effect at that instant"))?;
    txn.commit().await?;
    board_changed(app).await;
    Ok(rule)
}

/// Towns by id, for showing a board's town.
pub async fn town(db: &Db, id: Uuid) -> AppResult<Option<town::Model>> {
    Ok(town::Entity::find_by_id(id).one(&db.conn).await?)
}
