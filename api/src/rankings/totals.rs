//! Running totals of every board, period and town, per member, in the database: each write
//! adds its deltas (the same ones the sorted sets get) inside its own transaction, so with
//! Redis gone a page of the ranking is an index read, not a sum over the whole ledger.
//!
//! Built once from the ledger (`rebuild`: after migrating, seeding or restoring); until then
//! boards are summed from the ledger as before. Rows are keyed by board, period key (`2026-06`,
//! `2026-Q2`, `2026`, `all`), town id (empty for the district) and member.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveEnum, ConnectionTrait, DbErr, EntityTrait, QueryOrder, QuerySelect, Statement, Value,
};

use super::{
    aggregate::{Attribution, Sql},
    board_state::{built, bump_board_version},
    boards::{add_contribution, donation_updates, hours_deltas},
    model::{BoardSpec, PeriodKey, Standing},
    rule_book::rule_book_on,
    sets::SetUpdate,
};
use crate::{
    db::Db,
    entities::{
        donation,
        enums::{Board, Period, Visibility},
        hour_certification,
    },
    error::{AppError, AppResult},
};

const BOARDS: [Board; 3] = [
    Board::Residents,
    Board::Organisations,
    Board::VolunteerHours,
];
/// Rows per INSERT: 5 values each, well inside SQLite's limit on bound values.
const ROWS_PER_STATEMENT: usize = 400;

fn town_key(spec: &BoardSpec) -> String {
    spec.town.map(|t| t.to_string()).unwrap_or_default()
}

type Key = (String, String, String);

/// Add `updates` to the totals on `conn` (the write's transaction), and to each board's
/// member count and sum. Rows go in key order (totals, then summaries), so two writes touching
/// the same rows lock them in the same order and cannot deadlock.
pub(super) async fn add<C: ConnectionTrait>(
    conn: &C,
    updates: &HashMap<BoardSpec, SetUpdate>,
) -> Result<(), DbErr> {
    let mut rows: Vec<(String, String, String, &str, i64)> =
        updates
            .iter()
            .flat_map(|(spec, update)| {
                update.deltas.iter().filter(|(_, delta)| **delta != 0).map(
                    move |(member, delta)| {
                        (
                            spec.board.to_value(),
                            spec.period.key().to_owned(),
                            town_key(spec),
                            member.as_str(),
                            *delta,
                        )
                    },
                )
            })
            .collect();
    rows.sort();
    // (members, sum) each board gains: a member counts while its total is above zero.
    let mut summaries: BTreeMap<Key, (i64, i64)> = BTreeMap::new();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::new(conn.get_database_backend());
        sql.push("INSERT INTO ranking_totals (board, period, town, member, total) VALUES ");
        values(
            &mut sql,
            chunk.iter().map(|(board, period, town, member, delta)| {
                [
                    board.clone().into(),
                    period.clone().into(),
                    town.clone().into(),
                    member.to_string().into(),
                    (*delta).into(),
                ]
            }),
        );
        sql.push(
            " ON CONFLICT (board, period, town, member) \
             DO UPDATE SET total = ranking_totals.total + excluded.total \
             RETURNING board, period, town, member, total",
        );
        let deltas: HashMap<(&str, &str, &str, &str), i64> = chunk
            .iter()
            .map(|(b, p, t, m, d)| ((b.as_str(), p.as_str(), t.as_str(), *m), *d))
            .collect();
        for row in conn.query_all_raw(sql.statement()).await? {
            let (board, period, town, member): (String, String, String, String) = (
                row.try_get("", "board")?,
                row.try_get("", "period")?,
                row.try_get("", "town")?,
                row.try_get("", "member")?,
            );
            let after: i64 = row.try_get("", "total")?;
            let delta = deltas
                .get(&(
                    board.as_str(),
                    period.as_str(),
                    town.as_str(),
                    member.as_str(),
                ))
                .copied()
                .unwrap_or(0);
            let before = after - delta;
            let entry = summaries.entry((board, period, town)).or_default();
            entry.0 += i64::from(after > 0) - i64::from(before > 0);
            entry.1 += after.max(0) - before.max(0);
        }
    }
    add_summaries(conn, &summaries).await?;
    if !rows.is_empty() {
        bump_board_version(conn).await?;
    }
    Ok(())
}

/// `(…), (…)`: one parenthesised row of bound values per item.
fn values<const N: usize>(sql: &mut Sql, rows: impl Iterator<Item = [Value; N]>) {
    for (i, row) in rows.enumerate() {
        sql.push(if i == 0 { "(" } else { ", (" });
        for (j, value) in row.into_iter().enumerate() {
            if j > 0 {
                sql.push(", ");
            }
            sql.bind(value);
        }
        sql.push(")");
    }
}

async fn add_summaries<C: ConnectionTrait>(
    conn: &C,
    summaries: &BTreeMap<Key, (i64, i64)>,
) -> Result<(), DbErr> {
    let changed: Vec<_> = summaries
        .iter()
        .filter(|(_, (members, total))| *members != 0 || *total != 0)
        .collect();
    for chunk in changed.chunks(ROWS_PER_STATEMENT) {
        let mut sql = Sql::new(conn.get_database_backend());
        sql.push("INSERT INTO ranking_summaries (board, period, town, members, total) VALUES ");
        values(
            &mut sql,
            chunk
                .iter()
                .map(|((board, period, town), (members, total))| {
                    [
                        board.clone().into(),
                        period.clone().into(),
                        town.clone().into(),
                        (*members).into(),
                        (*total).into(),
                    ]
                }),
        );
        sql.push(
            " ON CONFLICT (board, period, town) DO UPDATE SET \
             members = ranking_summaries.members + excluded.members, \
             total = ranking_summaries.total + excluded.total",
        );
        conn.execute_raw(sql.statement()).await?;
    }
    Ok(())
}

/// Inside the transaction that records (`sign` 1) or voids (`sign` -1) donations, or moves
/// them between named and anonymous: their change to the totals.
pub async fn donations_changed<C: ConnectionTrait>(
    conn: &C,
    changes: &[(&donation::Model, i64, Visibility)],
) -> AppResult<()> {
    let updates = donation_updates(conn, changes).await?;
    add(conn, &updates).await?;
    Ok(())
}

/// Inside the transaction that certifies hours or changes them by `delta_minutes`.
pub async fn hours_changed<C: ConnectionTrait>(
    conn: &C,
    cert: &hour_certification::Model,
    delta_minutes: i64,
) -> AppResult<()> {
    let updates = hours_deltas(conn, cert, delta_minutes).await;
    add(conn, &updates).await?;
    Ok(())
}

/// Replace the totals with sums over the ledger, in one transaction that holds off every
/// write's totals update meanwhile (on PostgreSQL a table lock; on SQLite the writer slot).
/// Returns how many rows were written.
pub async fn rebuild(db: &Db) -> AppResult<usize> {
    Ok(rebuild_if(db, false).await?.unwrap_or(0))
}

/// Build the totals unless they are built already (the first start after the migration, on
/// a database that held a ledger). Replicas starting together build them once: each checks
/// again once it holds the lock.
pub async fn ensure_built(db: &Db) -> AppResult<()> {
    if built(&db.conn).await? {
        return Ok(());
    }
    if let Some(rows) = rebuild_if(db, true).await? {
        tracing::info!(rows, "ranking totals built from the ledger");
    }
    Ok(())
}

async fn rebuild_if(db: &Db, only_if_unbuilt: bool) -> AppResult<Option<usize>> {
    let txn = db.begin_write().await?;
    if db.is_postgres() {
        txn.execute_unprepared("LOCK TABLE ranking_totals IN EXCLUSIVE MODE")
            .await?;
    }
    if only_if_unbuilt && built(&*txn).await? {
        return Ok(None);
    }
    txn.execute_unprepared("DELETE FROM ranking_totals").await?;
    txn.execute_unprepared("DELETE FROM ranking_summaries")
        .await?;
    let mut rows = 0;
    for board in BOARDS {
        let updates = from_ledger(&*txn, board).await?;
        rows += updates.values().map(|u| u.deltas.len()).sum::<usize>();
        add(&*txn, &updates).await?;
    }
    bump_board_version(&*txn).await?;
    let mut mark = Sql::new(db.backend());
    mark.push("INSERT INTO ranking_totals_state (id, built_at) VALUES (1, ")
        .bind(Utc::now().to_rfc3339())
        .push(") ON CONFLICT (id) DO UPDATE SET built_at = excluded.built_at");
    txn.execute_raw(mark.statement()).await?;
    txn.commit().await?;
    Ok(Some(rows))
}

/// Every total of `board` summed from the ledger: one grouped pass with a bucket per month
/// from the first entry to the last, each month's sum added to its month, quarter, year and
/// all time, for the district and the town.
async fn from_ledger<C: ConnectionTrait>(
    conn: &C,
    board: Board,
) -> AppResult<HashMap<BoardSpec, SetUpdate>> {
    let mut updates = HashMap::new();
    let Some((first, last)) = ledger_span(conn, board).await? else {
        return Ok(updates);
    };
    let months = months_between(first, last);
    let buckets: Vec<_> = months.iter().filter_map(|m| m.range()).collect::<Vec<_>>();
    let rules = rule_book_on(conn).await?;
    let attribution = Attribution::load(conn, board, rules).await?;
    let whole = BoardSpec {
        board,
        period: PeriodKey::all_time(),
        town: None,
    };
    let contributions =
        super::aggregate::grouped(conn, &whole, attribution.rules(), &buckets).await?;
    for c in &contributions {
        let Some(member) = attribution.member(c) else {
            continue;
        };
        for (i, (start, _)) in buckets.iter().enumerate() {
            let amount = c.sums.get(i + 1).copied().unwrap_or(0);
            if amount != 0 {
                add_contribution(&mut updates, board, member, *start, c.town_id, amount);
            }
        }
    }
    Ok(updates)
}

/// The first and last instant on `board`'s ledger, if it has any entry.
async fn ledger_span<C: ConnectionTrait>(
    conn: &C,
    board: Board,
) -> AppResult<Option<(DateTime<Utc>, DateTime<Utc>)>> {
    if board == Board::VolunteerHours {
        use hour_certification::Column::CertifiedAt;
        let first = hour_certification::Entity::find()
            .order_by_asc(CertifiedAt)
            .limit(1)
            .one(conn)
            .await?;
        let last = hour_certification::Entity::find()
            .order_by_desc(CertifiedAt)
            .limit(1)
            .one(conn)
            .await?;
        return Ok(first
            .zip(last)
            .map(|(f, l)| (f.certified_at, l.certified_at)));
    }
    use donation::Column::DonatedAt;
    let first = donation::Entity::find()
        .order_by_asc(DonatedAt)
        .limit(1)
        .one(conn)
        .await?;
    let last = donation::Entity::find()
        .order_by_desc(DonatedAt)
        .limit(1)
        .one(conn)
        .await?;
    Ok(first.zip(last).map(|(f, l)| (f.donated_at, l.donated_at)))
}

/// Every month (district time) from the one holding `first` to the one holding `last`.
fn months_between(first: DateTime<Utc>, last: DateTime<Utc>) -> Vec<PeriodKey> {
    let (first, last) = (first.min(last), first.max(last));
    let mut months = Vec::new();
    let mut month = PeriodKey::containing(Period::Month, first);
    while let Some((start, end)) = month.range() {
        if start > last {
            break;
        }
        months.push(month);
        // A day into the next month: inside it whatever the offset of the district's clock.
        month = PeriodKey::containing(Period::Month, end + chrono::Duration::days(1));
    }
    months
}

/// A page of `spec`'s board from the totals: `limit` members from `offset`, highest first
/// (ties by member, as the sorted sets order them), with the board's member count and sum.
pub struct TotalsPage {
    pub top: Vec<Standing>,
    pub count: u64,
    pub sum: i64,
    /// Members above the page's first entry.
    pub above: usize,
}

fn filter(sql: &mut Sql, spec: &BoardSpec) {
    sql.push(" FROM ranking_totals WHERE board = ")
        .bind(spec.board.to_value())
        .push(" AND period = ")
        .bind(spec.period.key().to_owned())
        .push(" AND town = ")
        .bind(town_key(spec))
        .push(" AND total > 0");
}

fn read_err(e: DbErr) -> AppError {
    AppError::from(e)
}

pub async fn page<C: ConnectionTrait>(
    conn: &C,
    spec: &BoardSpec,
    offset: usize,
    limit: usize,
) -> AppResult<TotalsPage> {
    let backend = conn.get_database_backend();
    let mut top = Sql::new(backend);
    top.push("SELECT member, total");
    filter(&mut top, spec);
    top.push(" ORDER BY total DESC, member DESC LIMIT ")
        .bind(limit as i64)
        .push(" OFFSET ")
        .bind(offset as i64);
    let top: Vec<Standing> = conn
        .query_all_raw(top.statement())
        .await
        .map_err(read_err)?
        .iter()
        .map(|row| {
            Ok(Standing {
                member: row.try_get("", "member").map_err(read_err)?,
                total: row.try_get("", "total").map_err(read_err)?,
            })
        })
        .collect::<AppResult<_>>()?;
    let mut whole = Sql::new(backend);
    whole
        .push("SELECT members, total FROM ranking_summaries WHERE board = ")
        .bind(spec.board.to_value())
        .push(" AND period = ")
        .bind(spec.period.key().to_owned())
        .push(" AND town = ")
        .bind(town_key(spec));
    let row = conn
        .query_one_raw(whole.statement())
        .await
        .map_err(read_err)?;
    let (count, sum) = match row {
        Some(row) => (
            row.try_get::<i64>("", "members").map_err(read_err)?,
            row.try_get::<i64>("", "total").map_err(read_err)?,
        ),
        None => (0, 0),
    };
    // Nobody is above the top of the board.
    let above = match top.first() {
        Some(first) if offset > 0 => count_above(conn, spec, first.total).await?,
        _ => 0,
    };
    Ok(TotalsPage {
        top,
        count: count as u64,
        sum,
        above,
    })
}

/// How many members of `spec`'s board total more than `total`.
pub async fn count_above<C: ConnectionTrait>(
    conn: &C,
    spec: &BoardSpec,
    total: i64,
) -> AppResult<usize> {
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push("SELECT CAST(COUNT(*) AS BIGINT) AS n");
    filter(&mut sql, spec);
    sql.push(" AND total > ").bind(total);
    let n: i64 = match conn
        .query_one_raw(sql.statement())
        .await
        .map_err(read_err)?
    {
        Some(row) => row.try_get("", "n").map_err(read_err)?,
        None => 0,
    };
    Ok(n as usize)
}

/// The summed totals of `members` on `spec`'s board.
pub async fn total_of<C: ConnectionTrait>(
    conn: &C,
    spec: &BoardSpec,
    members: &[String],
) -> AppResult<i64> {
    if members.is_empty() {
        return Ok(0);
    }
    let mut sql = Sql::new(conn.get_database_backend());
    sql.push("SELECT CAST(COALESCE(SUM(total), 0) AS BIGINT) AS s");
    filter(&mut sql, spec);
    sql.push(" AND member IN (");
    for (i, member) in members.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(member.clone());
    }
    sql.push(")");
    Ok(
        match conn
            .query_one_raw(sql.statement())
            .await
            .map_err(read_err)?
        {
            Some(row) => row.try_get("", "s").map_err(read_err)?,
            None => 0,
        },
    )
}

/// Where the totals disagree with sums over the ledger, or a board's kept member count and
/// sum (`(members)`, `(sum)`) with its totals: `(board, period, town, member, expected,
/// kept)` for each figure that differs (writes while it runs show up too).
pub async fn verify(db: &Db) -> AppResult<Vec<(String, String, String, String, i64, i64)>> {
    let mut expected: BTreeMap<(String, String, String, String), i64> = BTreeMap::new();
    for board in BOARDS {
        for (spec, update) in from_ledger(&db.conn, board).await? {
            for (member, total) in update.deltas {
                if total > 0 {
                    expected.insert(
                        (
                            spec.board.to_value(),
                            spec.period.key().to_owned(),
                            town_key(&spec),
                            member,
                        ),
                        total,
                    );
                }
            }
        }
    }
    let rows = db
        .conn
        .query_all_raw(Statement::from_string(
            db.backend(),
            "SELECT board, period, town, member, total FROM ranking_totals WHERE total > 0",
        ))
        .await?;
    let mut actual: BTreeMap<(String, String, String, String), i64> = BTreeMap::new();
    for row in rows {
        actual.insert(
            (
                row.try_get("", "board").map_err(read_err)?,
                row.try_get("", "period").map_err(read_err)?,
                row.try_get("", "town").map_err(read_err)?,
                row.try_get("", "member").map_err(read_err)?,
            ),
            row.try_get("", "total").map_err(read_err)?,
        );
    }
    // Each board's member count and sum, as the summaries keep them, against the totals.
    let counted = db
        .conn
        .query_all_raw(Statement::from_string(
            db.backend(),
            "SELECT board, period, town, CAST(COUNT(*) AS BIGINT) AS members, \
             CAST(SUM(total) AS BIGINT) AS total FROM ranking_totals WHERE total > 0 \
             GROUP BY board, period, town",
        ))
        .await?;
    let kept = db
        .conn
        .query_all_raw(Statement::from_string(
            db.backend(),
            "SELECT board, period, town, members, total FROM ranking_summaries \
             WHERE members <> 0 OR total <> 0",
        ))
        .await?;
    for (rows, side) in [(counted, &mut expected), (kept, &mut actual)] {
        for row in rows {
            let key = |what: &str| -> Result<(String, String, String, String), DbErr> {
                Ok((
                    row.try_get("", "board")?,
                    row.try_get("", "period")?,
                    row.try_get("", "town")?,
                    what.to_owned(),
                ))
            };
            side.insert(key("(members)")?, row.try_get("", "members")?);
            side.insert(key("(sum)")?, row.try_get("", "total")?);
        }
    }
    let mut differences = Vec::new();
    let keys: std::collections::BTreeSet<_> = expected.keys().chain(actual.keys()).collect();
    for key in keys {
        let (e, a) = (
            expected.get(key).copied().unwrap_or(0),
            actual.get(key).copied().unwrap_or(0),
        );
        if e != a {
            let (board, period, town, member) = key.clone();
            differences.push((board, period, town, member, e, a));
        }
    }
    Ok(differences)
}
