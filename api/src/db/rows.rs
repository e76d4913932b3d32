//! Many rows in one statement. On PostgreSQL the rows travel as one JSON parameter and a list
//! of keys as one array parameter, so a statement's text never depends on how many rows it
//! carries: each connection parses and plans it once and keeps it prepared, instead of
//! parsing, planning and binding a new VALUES list for every batch size. SQLite gets the
//! multi-row VALUES lists, chunked under its bind-parameter limit.

use std::collections::HashSet;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityName,
    EntityTrait, IdenStatic, Iterable, QueryTrait, Statement, Value,
    sea_query::{Expr, ExprTrait, OnConflict, PgFunc, SimpleExpr},
};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// Rows per multi-row VALUES list on SQLite: 32,766 bind parameters over the widest table.
const SQLITE_ROWS_PER_INSERT: usize = 1_000;
/// Rows per JSON parameter on PostgreSQL: bounds the memory one statement takes (an import
/// of 50,000 donations is ten statements, not one of 30 MB).
const POSTGRES_ROWS_PER_INSERT: usize = 5_000;

/// Insert rows inside the caller's transaction.
pub async fn insert_all<A>(conn: &impl ConnectionTrait, rows: Vec<A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait,
{
    for statement in insert_statements(conn.get_database_backend(), rows) {
        conn.execute_raw(statement).await?;
    }
    Ok(())
}

/// The statements that insert `rows`: on PostgreSQL one JSON parameter per 5,000 rows, on
/// SQLite one VALUES list per 1,000 (its bind-parameter limit).
fn insert_statements<A>(backend: DatabaseBackend, rows: Vec<A>) -> Vec<Statement>
where
    A: ActiveModelTrait,
{
    if backend == DatabaseBackend::Postgres {
        return rows
            .chunks(POSTGRES_ROWS_PER_INSERT)
            .map(|chunk| json_insert::<A>(chunk, None, None))
            .collect();
    }
    let mut statements = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(SQLITE_ROWS_PER_INSERT).collect();
        statements
            .push(backend.build(&<A::Entity as EntityTrait>::insert_many(chunk).into_query()));
    }
    statements
}

/// Insert rows inside the caller's transaction, skipping each one whose `unique` columns
/// clash with a row already there (or one earlier in `rows`); returns the ids of the rows
/// written. The unique index decides, waiting for a writer that is still open.
pub async fn insert_unless_taken<A>(
    conn: &impl ConnectionTrait,
    rows: Vec<A>,
    unique: &[<A::Entity as EntityTrait>::Column],
    id: <A::Entity as EntityTrait>::Column,
) -> Result<HashSet<Uuid>, DbErr>
where
    A: ActiveModelTrait,
{
    let mut written = HashSet::with_capacity(rows.len());
    if rows.is_empty() {
        return Ok(written);
    }
    let id_name = id.as_str();
    if conn.get_database_backend() == DatabaseBackend::Postgres {
        for chunk in rows.chunks(POSTGRES_ROWS_PER_INSERT) {
            for row in conn
                .query_all_raw(json_insert::<A>(chunk, Some(unique), Some(id_name)))
                .await?
            {
                written.insert(row.try_get::<Uuid>("", id_name)?);
            }
        }
        return Ok(written);
    }
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(SQLITE_ROWS_PER_INSERT).collect();
        let mut insert = <A::Entity as EntityTrait>::insert_many(chunk).into_query();
        insert
            .on_conflict(
                OnConflict::columns(unique.iter().copied())
                    .do_nothing()
                    .to_owned(),
            )
            .returning_col(id);
        for row in conn.query_all(&insert).await? {
            written.insert(row.try_get::<Uuid>("", id_name)?);
        }
    }
    Ok(written)
}

/// Writes whose only answer is how many rows each touched, gathered inside the caller's
/// transaction and sent together: on PostgreSQL as one statement of data-modifying `WITH`
/// clauses (one round trip for all of them instead of one each), on SQLite one after another.
/// The clauses of one statement do not see each other's changes, so no two writes may touch
/// the same rows.
pub struct Writes {
    backend: DatabaseBackend,
    parts: Vec<Part>,
}

struct Part {
    statement: Statement,
    /// The rows it must touch, and what is missing when it touches fewer.
    exactly: Option<(u64, &'static str)>,
}

impl Writes {
    pub fn new(backend: DatabaseBackend) -> Self {
        Self {
            backend,
            parts: Vec::new(),
        }
    }

    pub fn backend(&self) -> DatabaseBackend {
        self.backend
    }

    pub fn insert<A: ActiveModelTrait>(&mut self, rows: Vec<A>) {
        for statement in insert_statements(self.backend, rows) {
            self.push(statement);
        }
    }

    pub fn push(&mut self, statement: Statement) {
        self.parts.push(Part {
            statement,
            exactly: None,
        });
    }

    /// A write that must touch exactly `rows` rows; when it touches fewer the whole write
    /// fails as `NotFound(missing)`.
    pub fn push_exact(&mut self, statement: Statement, rows: u64, missing: &'static str) {
        self.parts.push(Part {
            statement,
            exactly: Some((rows, missing)),
        });
    }

    pub async fn run(self, conn: &impl ConnectionTrait) -> AppResult<()> {
        if self.backend != DatabaseBackend::Postgres || self.parts.len() <= 1 {
            for part in self.parts {
                let touched = conn.execute_raw(part.statement).await?.rows_affected();
                check_touched(part.exactly, touched)?;
            }
            return Ok(());
        }
        let (statement, expected) = with_clauses(self.parts);
        let row = conn
            .query_one_raw(statement)
            .await?
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("the writes returned no counts")))?;
        for (i, exactly) in expected.into_iter().enumerate() {
            let touched: i64 = row.try_get_by_index(i)?;
            check_touched(exactly, u64::try_from(touched).unwrap_or(0))?;
        }
        Ok(())
    }
}

fn check_touched(exactly: Option<(u64, &'static str)>, touched: u64) -> AppResult<()> {
    match exactly {
        Some((rows, missing)) if rows != touched => Err(AppError::not_found(missing)),
        _ => Ok(()),
    }
}

/// `WITH w0 AS (.. RETURNING 1), w1 AS (..) SELECT (SELECT count(*) FROM w0), ..`, each
/// part's parameters renumbered after the ones before it.
fn with_clauses(parts: Vec<Part>) -> (Statement, Vec<Option<(u64, &'static str)>>) {
    let mut clauses = Vec::with_capacity(parts.len());
    let mut counts = Vec::with_capacity(parts.len());
    let mut values: Vec<Value> = Vec::new();
    let mut expected = Vec::with_capacity(parts.len());
    for (i, part) in parts.into_iter().enumerate() {
        let sql = renumber_parameters(&part.statement.sql, values.len());
        debug_assert!(
            !sql.to_ascii_uppercase().contains(" RETURNING "),
            "a part of Writes answers with its count only: {sql}"
        );
        clauses.push(format!("w{i} AS ({sql} RETURNING 1)"));
        counts.push(format!("(SELECT count(*) FROM w{i})"));
        values.extend(part.statement.values.map(|v| v.0).unwrap_or_default());
        expected.push(part.exactly);
    }
    let sql = format!("WITH {} SELECT {}", clauses.join(", "), counts.join(", "));
    (
        Statement::from_sql_and_values(DatabaseBackend::Postgres, sql, values),
        expected,
    )
}

/// `$n` becomes `$(n + offset)` outside quoted literals and identifiers.
fn renumber_parameters(sql: &str, offset: usize) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '$') if chars.peek().is_some_and(char::is_ascii_digit) => {
                let mut n = 0usize;
                while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                    n = n * 10 + d as usize;
                    chars.next();
                }
                out.push('$');
                out.push_str(&(n + offset).to_string());
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// `column IN (values)`: on PostgreSQL `column = ANY($1)`, one statement text for any count.
pub fn one_of<C, V>(backend: DatabaseBackend, column: C, values: Vec<V>) -> SimpleExpr
where
    C: ColumnTrait,
    V: Into<Value>,
    Vec<V>: Into<Value>,
{
    match backend {
        DatabaseBackend::Postgres => {
            Expr::col(column.as_column_ref()).eq(PgFunc::any(Expr::val(values)))
        }
        _ => column.is_in(values),
    }
}

/// `INSERT INTO t (cols) SELECT cols FROM json_populate_recordset(NULL::t, $1)`, the columns
/// being those the first row sets (every row of a batch sets the same ones). Plain `json`, not
/// `jsonb`: read once as it is parsed, it costs PostgreSQL ~10% less per donation row than
/// building the `jsonb` value first (`bench/row_costs.py`).
fn json_insert<A>(
    rows: &[A],
    unique: Option<&[<A::Entity as EntityTrait>::Column]>,
    returning: Option<&str>,
) -> Statement
where
    A: ActiveModelTrait,
{
    let columns: Vec<<A::Entity as EntityTrait>::Column> =
        <A::Entity as EntityTrait>::Column::iter()
            .filter(|c| !rows[0].get(*c).is_not_set())
            .collect();
    // Each column's `"name":` once, not once a row.
    let keys: Vec<String> = columns
        .iter()
        .map(|c| {
            let mut key = String::new();
            push_json_string(&mut key, c.as_str());
            key.push(':');
            key
        })
        .collect();
    let mut json = String::with_capacity(rows.len() * 64 * columns.len().max(1));
    json.push('[');
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push('{');
        for (j, (column, key)) in columns.iter().zip(&keys).enumerate() {
            if j > 0 {
                json.push(',');
            }
            json.push_str(key);
            match row.get(*column).into_value() {
                Some(value) => push_json_value(&mut json, &value),
                None => json.push_str("null"),
            }
        }
        json.push('}');
    }
    json.push(']');

    let table = <A::Entity as Default>::default().table_name().to_owned();
    let list = columns
        .iter()
        .map(|c| format!("\"{}\"", c.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut sql = format!(
        "INSERT INTO \"{table}\" ({list}) SELECT {list} \
         FROM json_populate_recordset(NULL::\"{table}\", $1::json)"
    );
    if let Some(unique) = unique {
        let keys = unique
            .iter()
            .map(|c| format!("\"{}\"", c.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        sql.push_str(&format!(" ON CONFLICT ({keys}) DO NOTHING"));
    }
    if let Some(id) = returning {
        sql.push_str(&format!(" RETURNING \"{id}\""));
    }
    Statement::from_sql_and_values(DatabaseBackend::Postgres, sql, [json.into()])
}

/// A column value as PostgreSQL's JSON input reads it for the column's type.
fn push_json_value(out: &mut String, value: &Value) {
    use std::fmt::Write;
    match value {
        Value::Bool(Some(v)) => out.push_str(if *v { "true" } else { "false" }),
        Value::TinyInt(Some(v)) => write!(out, "{v}").expect("writing to a String"),
        Value::SmallInt(Some(v)) => write!(out, "{v}").expect("writing to a String"),
        Value::Int(Some(v)) => write!(out, "{v}").expect("writing to a String"),
        Value::BigInt(Some(v)) => write!(out, "{v}").expect("writing to a String"),
        Value::String(Some(v)) => push_json_string(out, v),
        Value::Uuid(Some(v)) => write!(out, "\"{v}\"").expect("writing to a String"),
        // Full precision and an explicit offset: PostgreSQL stores exactly this instant.
        Value::ChronoDateTimeUtc(Some(v)) => write!(
            out,
            "\"{}\"",
            v.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        )
        .expect("writing to a String"),
        Value::ChronoDateTimeWithTimeZone(Some(v)) => write!(
            out,
            "\"{}\"",
            v.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
        )
        .expect("writing to a String"),
        Value::ChronoDate(Some(v)) => write!(out, "\"{v}\"").expect("writing to a String"),
        other if !other.is_some() => out.push_str("null"),
        other => out.push_str(&sea_orm::sea_query::sea_value_to_json_value(other).to_string()),
    }
}

fn push_json_string(out: &mut String, s: &str) {
    out.push_str(&serde_json::to_string(s).expect("a str is valid JSON"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::idempotency_record;
    use chrono::TimeZone;
    use sea_orm::IntoActiveModel;

    #[test]
    fn rows_become_one_json_parameter_and_one_text_for_any_count() {
        let row = |key: &str| {
            idempotency_record::Model {
                id: Uuid::nil(),
                account_id: Uuid::max(),
                operation: "op".into(),
                idem_key: key.into(),
                request_hash: "h".into(),
                response_json: "\"x\"".into(),
                created_at: chrono::Utc.with_ymd_and_hms(2026, 3, 1, 2, 0, 0).unwrap()
                    + chrono::Duration::microseconds(5),
            }
            .into_active_model()
        };
        let unique = [idempotency_record::Column::IdemKey];
        let one = json_insert(&[row("a\"b")], Some(&unique), Some("id"));
        let two = json_insert(&[row("a"), row("b")], Some(&unique), Some("id"));
        assert_eq!(one.sql, two.sql);
        assert!(
            one.sql
                .ends_with("ON CONFLICT (\"idem_key\") DO NOTHING RETURNING \"id\"")
        );
        let Some(values) = one.values else {
            panic!("one parameter")
        };
        let [Value::String(Some(json))] = values.0.as_slice() else {
            panic!("one JSON text: {values:?}")
        };
        let parsed: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(parsed[0]["idem_key"], "a\"b");
        assert_eq!(parsed[0]["id"], Uuid::nil().to_string());
        assert_eq!(parsed[0]["created_at"], "2026-03-01T02:00:00.000005Z");
    }

    #[test]
    fn writes_become_one_statement_with_each_part_counting_its_rows() {
        let part = |sql: &str, values: Vec<Value>| Part {
            statement: Statement::from_sql_and_values(DatabaseBackend::Postgres, sql, values),
            exactly: None,
        };
        let (statement, expected) = with_clauses(vec![
            part("INSERT INTO \"a$1\" SELECT $1::int", vec![1.into()]),
            part(
                "UPDATE b SET x = $1 WHERE y = ANY($2) AND z <> '$1'",
                vec![2.into(), 3.into()],
            ),
        ]);
        assert_eq!(
            statement.sql,
            "WITH w0 AS (INSERT INTO \"a$1\" SELECT $1::int RETURNING 1), \
             w1 AS (UPDATE b SET x = $2 WHERE y = ANY($3) AND z <> '$1' RETURNING 1) \
             SELECT (SELECT count(*) FROM w0), (SELECT count(*) FROM w1)"
        );
        let values = statement.values.expect("values").0;
        assert_eq!(values, vec![1.into(), 2.into(), 3.into()]);
        assert_eq!(expected.len(), 2);
        assert_eq!(renumber_parameters("$10 $9", 2), "$12 $11");
    }
}
