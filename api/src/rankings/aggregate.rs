//! The boards computed from the database, the source of truth: grouped sums for the live board
//! and rebuilds, single ledger rows for editions (whose hash covers each row).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveEnum, ConnectionTrait, DatabaseBackend, EntityTrait, Statement, Value};
use uuid::Uuid;

use super::model::{BoardSpec, Member, RuleBook, Standing, sort_standings};
use crate::{
    db::Db,
    entities::{
        enterprise,
        enums::{Board, DonorKind, FundingSource},
    },
    error::{AppError, AppResult},
};

/// SQL with placeholders in the backend's spelling (`$1` or `?`).
pub(super) struct Sql {
    backend: DatabaseBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub(super) fn new(backend: DatabaseBackend) -> Self {
        Self {
            backend,
            text: String::new(),
            values: Vec::new(),
        }
    }

    pub(super) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    pub(super) fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        match self.backend {
            DatabaseBackend::Postgres => {
                let n = self.values.len();
                self.text.push_str(&format!("${n}"));
            }
            _ => self.text.push('?'),
        }
        self
    }

    pub(super) fn statement(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}

/// The ledger as it stood at an instant (editions), or as it stands (the live board).
#[derive(Clone, Copy, Debug)]
pub enum AsOf {
    Now,
    At(DateTime<Utc>),
}

/// One contribution to a board before the rules are applied: a donation (or a group of them
/// that share everything the rules look at), or volunteer minutes.
#[derive(Clone, Debug)]
pub struct Contribution {
    pub donor_id: Uuid,
    pub town_id: Option<Uuid>,
    pub funding_source: FundingSource,
    pub anonymous: bool,
    /// The ranking rule in force at the contribution's date.
    pub rule: Option<usize>,
    /// Sums per requested bucket: `[0]` the whole range, then one per extra bucket.
    pub sums: Vec<i64>,
}

/// A time window inside the range whose sum is reported separately (for rebuilding the
/// month, quarter and year sets in the same pass as all time).
pub type Bucket = (DateTime<Utc>, DateTime<Utc>);

/// Which member of a board a contribution counts for, or none when the rules leave it out.
pub struct Attribution {
    board: Board,
    rules: RuleBook,
    roots: HashMap<Uuid, Uuid>,
}

impl Attribution {
    pub async fn load<C: ConnectionTrait>(
        conn: &C,
        board: Board,
        rules: RuleBook,
    ) -> AppResult<Self> {
        let roll_up = rules.rules().iter().any(|r| r.roll_up_branches);
        let roots = if board == Board::Organisations && roll_up {
            enterprise_roots(conn).await?
        } else {
            HashMap::new()
        };
        Ok(Self {
            board,
            rules,
            roots,
        })
    }

    pub fn rules(&self) -> &RuleBook {
        &self.rules
    }

    pub fn member(&self, c: &Contribution) -> Option<Member> {
        if self.board == Board::VolunteerHours {
            return Some(Member::named(c.donor_id));
        }
        let rule = self.rules.by_index(c.rule);
        if !rule.counts(c.funding_source) {
            return None;
        }
        let donor = if rule.roll_up_branches {
            self.roots.get(&c.donor_id).copied().unwrap_or(c.donor_id)
        } else {
            c.donor_id
        };
        Some(Member {
            donor,
            anonymous: c.anonymous,
        })
    }

    /// Total per member from contributions (bucket `bucket`), highest first, zeros dropped.
    pub fn standings<'a>(
        &self,
        contributions: impl IntoIterator<Item = &'a Contribution>,
        bucket: usize,
    ) -> Vec<Standing> {
        let mut totals: HashMap<String, i64> = HashMap::new();
        for c in contributions {
            let amount = c.sums.get(bucket).copied().unwrap_or(0);
            if amount == 0 {
                continue;
            }
            if let Some(member) = self.member(c) {
                *totals.entry(member.encode()).or_default() += amount;
            }
        }
        let mut standings: Vec<Standing> = totals
            .into_iter()
            .filter(|(_, total)| *total > 0)
            .map(|(member, total)| Standing { member, total })
            .collect();
        sort_standings(&mut standings);
        standings
    }
}

/// Every enterprise's top-most parent (itself when it has none).
async fn enterprise_roots<C: ConnectionTrait>(conn: &C) -> AppResult<HashMap<Uuid, Uuid>> {
    let parents: HashMap<Uuid, Option<Uuid>> = enterprise::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|e| (e.id, e.parent_id))
        .collect();
    Ok(parents
        .keys()
        .map(|&id| {
            let mut root = id;
            // A parent chain is short; the bound only guards against a cycle in bad data.
            for _ in 0..16 {
                match parents.get(&root).copied().flatten() {
                    Some(parent) => root = parent,
                    None => break,
                }
            }
            (id, root)
        })
        .collect())
}

/// `CASE WHEN <col> >= r_n THEN n ... ELSE -1 END`: the index of the rule in force.
fn rule_case(sql: &mut Sql, column: &str, rules: &RuleBook) {
    if rules.rules().is_empty() {
        sql.push("-1");
        return;
    }
    sql.push("CASE");
    for (i, rule) in rules.rules().iter().enumerate().rev() {
        sql.push(&format!(" WHEN {column} >= "))
            .bind(rule.effective_from)
            .push(&format!(" THEN {i}"));
    }
    sql.push(" ELSE -1 END");
}

fn range_filter(sql: &mut Sql, column: &str, spec: &BoardSpec) {
    if let Some((start, end)) = spec.period.range() {
        sql.push(&format!(" AND {column} >= "))
            .bind(start)
            .push(&format!(" AND {column} < "))
            .bind(end);
    }
}

fn bucket_sums(sql: &mut Sql, time: &str, amount: &str, buckets: &[Bucket]) {
    for (i, (start, end)) in buckets.iter().enumerate() {
        sql.push(&format!(", CAST(SUM(CASE WHEN {time} >= "))
            .bind(*start)
            .push(&format!(" AND {time} < "))
            .bind(*end)
            .push(&format!(
                " THEN {amount} ELSE 0 END) AS BIGINT) AS b{}",
                i + 1
            ));
    }
}

fn as_of_donations(sql: &mut Sql, as_of: AsOf) {
    match as_of {
        AsOf::Now => {
            sql.push(" AND status = 'CONFIRMED'");
        }
        // Recorded by then, and not yet voided then.
        AsOf::At(at) => {
            sql.push(" AND created_at <= ")
                .bind(at)
                .push(" AND (status = 'CONFIRMED' OR voided_at > ")
                .bind(at)
                .push(")");
        }
    }
}

fn donor_kind(board: Board) -> Option<DonorKind> {
    match board {
        Board::Residents => Some(DonorKind::Resident),
        Board::Organisations => Some(DonorKind::Enterprise),
        Board::VolunteerHours => None,
    }
}

fn read_err(e: sea_orm::DbErr) -> AppError {
    AppError::from(e)
}

/// Grouped contributions to `spec`'s board (town and period filters from `spec`; pass a town
/// of `None` and `all_towns = true` to get every town's rows for a rebuild).
#[tracing::instrument(skip(conn, rules, buckets), fields(board = ?spec.board, period = spec.period.key()))]
pub async fn grouped<C: ConnectionTrait>(
    conn: &C,
    spec: &BoardSpec,
    rules: &RuleBook,
    buckets: &[Bucket],
) -> AppResult<Vec<Contribution>> {
    let mut sql = Sql::new(conn.get_database_backend());
    let rows = match donor_kind(spec.board) {
        Some(kind) => {
            sql.push(
                "SELECT donor_id, town_id, funding_source, \
                 CAST(CASE WHEN visibility = 'ANONYMOUS' THEN 1 ELSE 0 END AS BIGINT) AS anon, CAST(",
            );
            rule_case(&mut sql, "donated_at", rules);
            sql.push(" AS BIGINT) AS rule_idx, CAST(SUM(amount_fen) AS BIGINT) AS b0");
            bucket_sums(&mut sql, "donated_at", "amount_fen", buckets);
            sql.push(" FROM donations WHERE donor_id IS NOT NULL AND donor_kind = ")
                .bind(kind.to_value());
            as_of_donations(&mut sql, AsOf::Now);
            range_filter(&mut sql, "donated_at", spec);
            if let Some(town) = spec.town {
                sql.push(" AND town_id = ").bind(town);
            }
            sql.push(" GROUP BY 1, 2, 3, 4, 5");
            conn.query_all_raw(sql.statement())
                .await
                .map_err(read_err)?
        }
        None => {
            sql.push(
                "SELECT h.resident_id AS donor_id, r.town_id AS town_id, \
                 'PUBLIC' AS funding_source, CAST(0 AS BIGINT) AS anon, CAST(-1 AS BIGINT) AS rule_idx, \
                 CAST(SUM(h.minutes) AS BIGINT) AS b0",
            );
            bucket_sums(&mut sql, "h.certified_at", "h.minutes", buckets);
            sql.push(
                " FROM hour_certifications h JOIN residents r ON r.id = h.resident_id \
                 WHERE h.minutes > 0",
            );
            range_filter(&mut sql, "h.certified_at", spec);
            if let Some(town) = spec.town {
                sql.push(" AND r.town_id = ").bind(town);
            }
            sql.push(" GROUP BY 1, 2");
            conn.query_all_raw(sql.statement())
                .await
                .map_err(read_err)?
        }
    };
    rows.iter()
        .map(|row| {
            let source: String = row.try_get("", "funding_source").map_err(read_err)?;
            let rule: i64 = row.try_get("", "rule_idx").map_err(read_err)?;
            let anon: i64 = row.try_get("", "anon").map_err(read_err)?;
            let mut sums = Vec::with_capacity(buckets.len() + 1);
            for i in 0..=buckets.len() {
                sums.push(
                    row.try_get::<Option<i64>>("", &format!("b{i}"))
                        .map_err(read_err)?
                        .unwrap_or(0),
                );
            }
            Ok(Contribution {
                donor_id: row.try_get("", "donor_id").map_err(read_err)?,
                town_id: row.try_get("", "town_id").map_err(read_err)?,
                funding_source: FundingSource::try_from_value(&source)
                    .map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))?,
                anonymous: anon != 0,
                rule: usize::try_from(rule).ok(),
                sums,
            })
        })
        .collect()
}

/// The single ledger rows of `spec`'s board as of an instant: donations (or certifications)
/// with their ids, for an edition and its hash. `sums[0]` is the row's amount.
pub async fn ledger_rows(
    db: &Db,
    spec: &BoardSpec,
    rules: &RuleBook,
    as_of: DateTime<Utc>,
) -> AppResult<Vec<(Uuid, Contribution)>> {
    let mut sql = Sql::new(db.backend());
    match donor_kind(spec.board) {
        Some(kind) => {
            sql.push(
                "SELECT id, donor_id, town_id, funding_source, \
                 CAST(CASE WHEN visibility = 'ANONYMOUS' THEN 1 ELSE 0 END AS BIGINT) AS anon, CAST(",
            );
            rule_case(&mut sql, "donated_at", rules);
            sql.push(" AS BIGINT) AS rule_idx, amount_fen AS amount FROM donations WHERE donor_id IS NOT NULL AND donor_kind = ")
                .bind(kind.to_value());
            as_of_donations(&mut sql, AsOf::At(as_of));
            range_filter(&mut sql, "donated_at", spec);
            if let Some(town) = spec.town {
                sql.push(" AND town_id = ").bind(town);
            }
        }
        None => {
            sql.push(
                "SELECT h.id AS id, h.resident_id AS donor_id, r.town_id AS town_id, \
                 'PUBLIC' AS funding_source, CAST(0 AS BIGINT) AS anon, CAST(-1 AS BIGINT) AS rule_idx, \
                 CAST(h.minutes AS BIGINT) AS amount \
                 FROM hour_certifications h JOIN residents r ON r.id = h.resident_id \
                 WHERE h.minutes > 0 AND h.certified_at <= ",
            )
            .bind(as_of);
            range_filter(&mut sql, "h.certified_at", spec);
            if let Some(town) = spec.town {
                sql.push(" AND r.town_id = ").bind(town);
            }
        }
    }
    let rows = db
        .conn
        .query_all_raw(sql.statement())
        .await
        .map_err(read_err)?;
    rows.iter()
        .map(|row| {
            let source: String = row.try_get("", "funding_source").map_err(read_err)?;
            let rule: i64 = row.try_get("", "rule_idx").map_err(read_err)?;
            let anon: i64 = row.try_get("", "anon").map_err(read_err)?;
            Ok((
                row.try_get("", "id").map_err(read_err)?,
                Contribution {
                    donor_id: row.try_get("", "donor_id").map_err(read_err)?,
                    town_id: row.try_get("", "town_id").map_err(read_err)?,
                    funding_source: FundingSource::try_from_value(&source)
                        .map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))?,
                    anonymous: anon != 0,
                    rule: usize::try_from(rule).ok(),
                    sums: vec![row.try_get("", "amount").map_err(read_err)?],
                },
            ))
        })
        .collect()
}
