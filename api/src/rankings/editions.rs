//! Published editions of the 洞头慈善榜: numbered, frozen copies of a board with the rules
//! they used and a SHA-256 over the ledger rows they were computed from. Never edited; a
//! correction is a new edition naming the one it corrects. A line keeps the member (donor)
//! and the total, not the name: the name is resolved whenever the line is read, under the
//! person's consent at that moment, so a withdrawal reaches every edition already out.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    Boards,
    aggregate::{self, Attribution},
    model::{
        ANONYMOUS_NAME, BoardSpec, PeriodKey, RuleBook, Standing, competition_ranks, ledger_hash,
    },
    reads::display_names,
    rule_book::rule_book,
};
use crate::{
    auth::Viewer,
    db::Db,
    entities::{enums::Board, ranking_edition, ranking_edition_entry, ranking_rule},
    error::{AppError, AppResult},
    pagination::{self, Page, PageRequest},
};

/// How many lines an edition publishes.
pub const EDITION_ENTRIES: usize = 100;
/// An edition reflects the ledger as it stood this long before publication, so writes still
/// committing at that moment are either wholly in or wholly out.
const SETTLE: chrono::Duration = chrono::Duration::seconds(2);

/// A rule as an edition records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleRecord {
    pub effective_from: DateTime<Utc>,
    pub exclude_government_matching: bool,
    pub exclude_charity_transfers: bool,
    pub roll_up_branches: bool,
    pub min_amount_fen: i64,
}

impl From<&ranking_rule::Model> for RuleRecord {
    fn from(r: &ranking_rule::Model) -> Self {
        Self {
            effective_from: r.effective_from,
            exclude_government_matching: r.exclude_government_matching,
            exclude_charity_transfers: r.exclude_charity_transfers,
            roll_up_branches: r.roll_up_branches,
            min_amount_fen: r.min_amount_fen,
        }
    }
}

impl RuleRecord {
    fn to_model(&self) -> ranking_rule::Model {
        ranking_rule::Model {
            id: Uuid::nil(),
            effective_from: self.effective_from,
            exclude_government_matching: self.exclude_government_matching,
            exclude_charity_transfers: self.exclude_charity_transfers,
            roll_up_branches: self.roll_up_branches,
            min_amount_fen: self.min_amount_fen,
            created_by: None,
            created_at: self.effective_from,
        }
    }
}

/// What `rules_json` holds: everything needed to recompute the edition from the ledger.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EditionBasis {
    /// The ledger as it stood at this instant: rows recorded by then and not voided by then.
    pub as_of: DateTime<Utc>,
    /// The rules in force during the period; each ledger row follows the one of its date.
    pub rules: Vec<RuleRecord>,
    /// Entries below this total were not published (the rule in force at `as_of`).
    pub min_total: i64,
    pub max_entries: usize,
    /// How `ledgerHash` is computed.
    pub hash: String,
}

const HASH_DESCRIPTION: &str = "sha256 over one line '<ledger row id>:<amount>\\n' per counted \
row (donation id and fen, or certification id and minutes), sorted by id";

/// The board as the ledger stood at `as_of`: standings, and the ledger hash.
async fn compute(
    db: &Db,
    spec: &BoardSpec,
    rules: RuleBook,
    as_of: DateTime<Utc>,
) -> AppResult<(Vec<Standing>, String)> {
    let attribution = Attribution::load(&db.conn, spec.board, rules).await?;
    let rows = aggregate::ledger_rows(db, spec, attribution.rules(), as_of).await?;
    let mut hashed: Vec<(Uuid, i64)> = rows
        .iter()
        .filter(|(_, c)| attribution.member(c).is_some())
        .map(|(id, c)| (*id, c.sums[0]))
        .collect();
    let hash = ledger_hash(&mut hashed);
    let standings = attribution.standings(rows.iter().map(|(_, c)| c), 0);
    Ok((standings, hash))
}

fn published_lines(standings: Vec<Standing>, min_total: i64) -> Vec<Standing> {
    standings
        .into_iter()
        .take_while(|s| s.total >= min_total.max(1))
        .take(EDITION_ENTRIES)
        .collect()
}

/// Publish an edition of `spec` (ADMIN). `corrects` names the edition it corrects, which must
/// be of the same board, period and town.
#[tracing::instrument(skip(db, boards, viewer))]
pub async fn publish(
    db: &Db,
    boards: &Boards,
    viewer: &Viewer,
    spec: BoardSpec,
    corrects: Option<Uuid>,
) -> AppResult<ranking_edition::Model> {
    if !viewer.is_admin() {
        return Err(AppError::forbidden(
            "only the civil-affairs bureau publishes editions",
        ));
    }
    if let Some(id) = corrects {
        let old = ranking_edition::Entity::find_by_id(id)
            .one(&db.conn)
            .await?
            .ok_or_else(|| AppError::bad_field("correctsEditionId", "no such edition"))?;
        if old.board != spec.board
            || old.period != spec.period.period()
            || old.period_key != spec.period.key()
            || old.town_id != spec.town
        {
            return Err(AppError::bad_field(
                "correctsEditionId",
                "a correction is of the same board, period and town as the edition it corrects",
            ));
        }
    }
    let now = Utc::now();
    let as_of = now - SETTLE;
    let rules = rule_book(db).await?;
    let min_total = match spec.board {
        Board::VolunteerHours => 1,
        _ => rules.at(as_of).min_amount_fen.max(1),
    };
    let basis = EditionBasis {
        as_of,
        rules: rules
            .in_force_during(spec.period.range())
            .into_iter()
            .map(RuleRecord::from)
            .collect(),
        min_total,
        max_entries: EDITION_ENTRIES,
        hash: HASH_DESCRIPTION.into(),
    };
    let (standings, hash) = compute(db, &spec, rules, as_of).await?;
    let lines = published_lines(standings, min_total);
    let ranks = competition_ranks(&lines.iter().map(|s| s.total).collect::<Vec<_>>());
    let rules_json = serde_json::to_string(&basis).map_err(AppError::internal)?;

    for attempt in 0..5 {
        let txn = db.begin_write().await?;
        let last = ranking_edition::Entity::find()
            .order_by_desc(ranking_edition::Column::Number)
            .limit(1)
            .one(&*txn)
            .await?
            .map_or(0, |e| e.number);
        let edition = ranking_edition::ActiveModel {
            id: Set(Uuid::now_v7()),
            number: Set(last + 1),
            board: Set(spec.board),
            period: Set(spec.period.period()),
            period_key: Set(spec.period.key().to_owned()),
            town_id: Set(spec.town),
            rules_json: Set(rules_json.clone()),
            ledger_hash: Set(hash.clone()),
            corrects_edition_id: Set(corrects),
            published_by: Set(viewer.account_id),
            published_at: Set(now),
        }
        .insert(&*txn)
        .await;
        let edition = match edition {
            Ok(e) => e,
            Err(e)
                if attempt < 4
                    && matches!(
                        e.sql_err(),
                        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                    ) =>
            {
                // Another edition took the number; take the next one.
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let rows: Vec<ranking_edition_entry::ActiveModel> = lines
            .iter()
            .zip(&ranks)
            .enumerate()
            .map(|(i, (s, rank))| ranking_edition_entry::ActiveModel {
                id: Set(Uuid::now_v7()),
                edition_id: Set(edition.id),
                rank: Set(*rank as i32),
                // The name is resolved when the line is read, never frozen here.
                display_name: Set(String::new()),
                member: Set(Some(s.member.clone())),
                total: Set(s.total),
                position: Set(i as i32 + 1),
            })
            .collect();
        if !rows.is_empty() {
            ranking_edition_entry::Entity::insert_many(rows)
                .exec(&*txn)
                .await?;
        }
        txn.commit().await?;
        boards.changed().await;
        return Ok(edition);
    }
    Err(AppError::conflict(
        "editions are being published concurrently; retry",
    ))
}

pub async fn list(db: &Db, page: &PageRequest) -> AppResult<Page<ranking_edition::Model>> {
    // Ids are UUID v7 and numbers are taken in order, so id order is number order.
    pagination::by_id_desc(&db.conn, ranking_edition::Entity::find(), page).await
}

pub async fn latest(db: &Db, limit: u64) -> AppResult<Vec<ranking_edition::Model>> {
    Ok(ranking_edition::Entity::find()
        .order_by_desc(ranking_edition::Column::Number)
        .limit(limit)
        .all(&db.conn)
        .await?)
}

pub async fn by_number(db: &Db, number: i32) -> AppResult<Option<ranking_edition::Model>> {
    Ok(ranking_edition::Entity::find()
        .filter(ranking_edition::Column::Number.eq(number))
        .one(&db.conn)
        .await?)
}

pub async fn by_id(db: &Db, id: Uuid) -> AppResult<Option<ranking_edition::Model>> {
    Ok(ranking_edition::Entity::find_by_id(id)
        .one(&db.conn)
        .await?)
}

/// The editions that correct this one.
pub async fn corrected_by(db: &Db, id: Uuid) -> AppResult<Vec<ranking_edition::Model>> {
    Ok(ranking_edition::Entity::find()
        .filter(ranking_edition::Column::CorrectsEditionId.eq(id))
        .order_by_asc(ranking_edition::Column::Number)
        .all(&db.conn)
        .await?)
}

/// The lines of one edition, named as each person's consent allows now.
pub async fn entries(
    db: &Db,
    edition: &ranking_edition::Model,
) -> AppResult<Vec<ranking_edition_entry::Model>> {
    let rows = ranking_edition_entry::Entity::find()
        .filter(ranking_edition_entry::Column::EditionId.eq(edition.id))
        .order_by_asc(ranking_edition_entry::Column::Position)
        .all(&db.conn)
        .await?;
    named_now(db, edition.board, rows).await
}

/// Lines of several editions at once (for the feed), each named as consent allows now.
pub async fn entries_of(
    db: &Db,
    editions: &[ranking_edition::Model],
) -> AppResult<Vec<ranking_edition_entry::Model>> {
    if editions.is_empty() {
        return Ok(Vec::new());
    }
    let rows = ranking_edition_entry::Entity::find()
        .filter(ranking_edition_entry::Column::EditionId.is_in(editions.iter().map(|e| e.id)))
        .order_by_asc(ranking_edition_entry::Column::EditionId)
        .order_by_asc(ranking_edition_entry::Column::Position)
        .all(&db.conn)
        .await?;
    let mut named = Vec::with_capacity(rows.len());
    for board in [
        Board::Residents,
        Board::Organisations,
        Board::VolunteerHours,
    ] {
        let of_board: std::collections::HashSet<Uuid> = editions
            .iter()
            .filter(|e| e.board == board)
            .map(|e| e.id)
            .collect();
        let lines = rows
            .iter()
            .filter(|r| of_board.contains(&r.edition_id))
            .cloned()
            .collect();
        named.extend(named_now(db, board, lines).await?);
    }
    named.sort_by_key(|r| (r.edition_id, r.position));
    Ok(named)
}

/// Fill each line's name from its member under today's consent. Lines published before the
/// member was kept carry the name they were published with.
async fn named_now(
    db: &Db,
    board: Board,
    mut rows: Vec<ranking_edition_entry::Model>,
) -> AppResult<Vec<ranking_edition_entry::Model>> {
    let names = display_names(db, board, rows.iter().filter_map(|r| r.member.as_deref())).await?;
    for row in &mut rows {
        if let Some(member) = &row.member {
            row.display_name = names
                .get(member)
                .cloned()
                .unwrap_or_else(|| ANONYMOUS_NAME.to_owned());
        }
    }
    Ok(rows)
}

pub fn basis(edition: &ranking_edition::Model) -> AppResult<EditionBasis> {
    serde_json::from_str(&edition.rules_json).map_err(AppError::internal)
}

/// The board an edition shows.
pub fn spec_of(edition: &ranking_edition::Model) -> AppResult<BoardSpec> {
    Ok(BoardSpec {
        board: edition.board,
        period: PeriodKey::parse(edition.period, &edition.period_key)?,
        town: edition.town_id,
    })
}

/// The outcome of recomputing an edition from the ledger.
#[derive(Clone, Debug)]
pub struct Verification {
    pub edition: ranking_edition::Model,
    pub recomputed_hash: String,
    /// The ledger rows are exactly those the edition was computed from.
    pub hash_matches: bool,
    /// The published ranks and totals are what those rows give under the recorded rules.
    pub entries_match: bool,
}

/// Recompute an edition from the ledger as it stood at the edition's `asOf`, under the rules
/// it recorded. Names are not part of it: they follow each person's consent at read time.
#[tracing::instrument(skip(db))]
pub async fn verify(db: &Db, number: i32) -> AppResult<Verification> {
    let edition = by_number(db, number)
        .await?
        .ok_or_else(|| AppError::not_found("edition"))?;
    let basis = basis(&edition)?;
    let spec = spec_of(&edition)?;
    let rules = RuleBook::new(basis.rules.iter().map(RuleRecord::to_model).collect());
    let (standings, hash) = compute(db, &spec, rules, basis.as_of).await?;
    let lines = published_lines(standings, basis.min_total);
    let ranks = competition_ranks(&lines.iter().map(|s| s.total).collect::<Vec<_>>());
    let published = ranking_edition_entry::Entity::find()
        .filter(ranking_edition_entry::Column::EditionId.eq(edition.id))
        .order_by_asc(ranking_edition_entry::Column::Position)
        .all(&db.conn)
        .await?;
    // The member is compared where the line keeps one (every line published since names
    // are resolved at read time).
    let entries_match = published.len() == lines.len()
        && published
            .iter()
            .zip(lines.iter().zip(&ranks))
            .all(|(p, (s, rank))| {
                p.total == s.total
                    && p.rank == *rank as i32
                    && p.member.as_deref().is_none_or(|m| m == s.member)
            });
    Ok(Verification {
        hash_matches: hash == edition.ledger_hash,
        recomputed_hash: hash,
        entries_match,
        edition,
    })
}
