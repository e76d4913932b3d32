//! `api seed --scale N`: N deterministic donations (and N/10 residents) for benchmarks,
//! written in bulk: COPY on PostgreSQL, multi-row inserts on SQLite.

use std::{collections::HashMap, path::Path, time::Instant};

use chrono::{Duration, Utc};
use rand::{Rng, SeedableRng, rngs::StdRng};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::{
    credits::rules,
    db::Db,
    entities::{
        account, charity_project, credit_entry, credit_rule, donation, donor, enterprise,
        enums::{
            CreditEntryKind, CreditRuleKind, DonationChannel, DonationKind, DonationStatus,
            DonorKind, FundingSource, NameStyle, Role, Visibility,
        },
        resident, town,
    },
    error::{AppError, AppResult},
};

const CHUNK: usize = 20_000;
const SURNAMES: &[char] = &[
    '陈', '林', '王', '张', '李', '黄', '周', '吴', '郑', '叶', '潘', '金', '蔡', '徐',
];
const GIVEN: &[char] = &[
    '晓', '明', '红', '海', '霞', '国', '强', '丽', '华', '建', '平', '芳', '军', '燕', '伟', '敏',
];

/// Generate `n` donations. Runs once per database: a second run refuses.
///
/// Long because it is one pass whose state carries from step to step: the donors, the
/// generated donations, the load with indexes dropped and rebuilt, then the donors' totals.
#[tracing::instrument(skip(db, seeds_dir))]
pub async fn seed_scale(db: &Db, seeds_dir: &Path, n: u64) -> AppResult<String> {
    let started = Instant::now();
    super::seed_if_empty(db, seeds_dir).await?;
    if resident::Entity::find()
        .filter(resident::Column::Phone.eq(scale_phone(0)))
        .one(&db.conn)
        .await?
        .is_some()
    {
        return Err(AppError::conflict("this database already holds scale data"));
    }
    let mut rng = StdRng::seed_from_u64(20_261_122);
    let towns: Vec<Uuid> = town::Entity::find()
        .order_by_asc(town::Column::SortOrder)
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    let projects = charity_project::Entity::find()
        .order_by_asc(charity_project::Column::Id)
        .all(&db.conn)
        .await?;
    let admin = account::Entity::find()
        .filter(account::Column::Role.eq(Role::Admin))
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::bad_input("no ADMIN account to record the data as"))?;
    let rules = RuleBook::load(db).await?;
    if projects.is_empty() || towns.is_empty() {
        return Err(AppError::bad_input("seed the demo data first"));
    }

    // Donors: residents and enterprises, created up front.
    let resident_count = (n / 10).max(100) as usize;
    let enterprise_count = (n / 500).max(10) as usize;
    let now = Utc::now();
    let mut donors: Vec<(Uuid, DonorKind, Uuid)> = Vec::new();
    let mut donor_rows = Vec::new();
    let mut resident_rows = Vec::new();
    let mut enterprise_rows = Vec::new();
    for i in 0..resident_count + enterprise_count {
        let id = Uuid::now_v7();
        let town_id = towns[i % towns.len()];
        let is_resident = i < resident_count;
        let name = if is_resident {
            let mut name = String::new();
            name.push(SURNAMES[rng.random_range(0..SURNAMES.len())]);
            for _ in 0..rng.random_range(1..=2) {
                name.push(GIVEN[rng.random_range(0..GIVEN.len())]);
            }
            name
        } else {
            format!("洞头测试企业{:05}号有限公司", i - resident_count)
        };
        let kind = if is_resident {
            DonorKind::Resident
        } else {
            DonorKind::Enterprise
        };
        donors.push((id, kind, town_id));
        donor_rows.push(donor::Model {
            id,
            kind,
            display_name: name.clone(),
            town_id: Some(town_id),
            credit_balance: 0,
            cumulative_donation_fen: 0,
            created_at: now,
        });
        if is_resident {
            resident_rows.push(resident::Model {
                id,
                name,
                phone: scale_phone(i),
                id_number: None,
                town_id: Some(town_id),
                name_consent: rng.random_bool(0.6),
                name_style: if rng.random_bool(0.5) {
                    NameStyle::Named
                } else {
                    NameStyle::Masked
                },
                consent_given_at: None,
                consent_withdrawn_at: None,
                created_at: now,
                privacy_policy_version: None,
                privacy_policy_agreed_at: None,
                registered_by: None,
                erased_at: None,
            });
        } else {
            enterprise_rows.push(enterprise::Model {
                id,
                name,
                kind: crate::entities::enums::EnterpriseKind::Enterprise,
                credit_code: None,
                parent_id: None,
                town_id: Some(town_id),
                created_at: now,
            });
        }
    }
    let writer = Writer {
        db,
        relaxed_checks: db.is_postgres() && may_skip_triggers(db).await,
    };
    let loaded = Instant::now();
    writer.donors(donor_rows).await?;
    writer.residents(resident_rows).await?;
    writer.enterprises(enterprise_rows).await?;
    tracing::info!(secs = loaded.elapsed().as_secs_f64(), "donors written");

    // Into a (nearly) empty table, building an index once after the load is far cheaper than
    // updating it for every row; the definitions are kept and replayed afterwards.
    let deferred = if db.is_postgres() {
        defer_indexes(db, n).await?
    } else {
        Vec::new()
    };
    let generated = Generator {
        rng,
        n,
        donors,
        resident_count,
        enterprise_count,
        projects,
        rules,
        admin_id: admin.id,
        now,
        csv: db.is_postgres(),
    };
    let loaded = load(&writer, generated).await;
    let rebuilt = rebuild_indexes(db, &deferred).await;
    let totals = loaded?;
    rebuilt?;

    // The new donors' totals follow from what was generated (they started at zero).
    let totals_started = Instant::now();
    if db.is_postgres() {
        writer.totals(totals).await?;
    } else {
        db.conn
            .execute_unprepared(
                "UPDATE donors SET \
                 credit_balance = COALESCE((SELECT SUM(e.amount) FROM credit_entries e WHERE e.donor_id = donors.id), 0), \
                 cumulative_donation_fen = COALESCE((SELECT SUM(d.amount_fen) FROM donations d \
                   WHERE d.donor_id = donors.id AND d.status = 'CONFIRMED'), 0)",
            )
            .await?;
    }
    tracing::info!(
        secs = totals_started.elapsed().as_secs_f64(),
        "donor totals written"
    );
    // The bulk load went round the writes that keep the ranking totals: sum them once.
    let totals = Instant::now();
    let rows = crate::rankings::totals::rebuild(db).await?;
    tracing::info!(
        rows,
        secs = totals.elapsed().as_secs_f64(),
        "ranking totals built"
    );
    if db.is_postgres() {
        let analyze = Instant::now();
        db.conn.execute_unprepared("ANALYZE").await?;
        tracing::info!(secs = analyze.elapsed().as_secs_f64(), "analyzed");
    }
    Ok(format!(
        "generated {n} donations, {resident_count} residents and {enterprise_count} enterprises in {:.1} s",
        started.elapsed().as_secs_f64()
    ))
}

/// Rows for one round of COPY (or INSERTs on SQLite).
enum Batch {
    Csv {
        donations: String,
        entries: String,
    },
    Rows {
        donations: Vec<donation::Model>,
        entries: Vec<credit_entry::Model>,
    },
}

/// Per donor: (credit balance, cumulative donation in fen).
type Totals = HashMap<Uuid, (i64, i64)>;

/// Generates the donations deterministically, on a thread of its own so that the next batch
/// is made (and formatted) while the database loads the previous one.
struct Generator {
    rng: StdRng,
    n: u64,
    donors: Vec<(Uuid, DonorKind, Uuid)>,
    resident_count: usize,
    enterprise_count: usize,
    projects: Vec<charity_project::Model>,
    rules: RuleBook,
    admin_id: Uuid,
    now: chrono::DateTime<Utc>,
    csv: bool,
}

impl Generator {
    fn run(mut self, out: tokio::sync::mpsc::Sender<Batch>) -> Totals {
        let mut totals: Totals = HashMap::new();
        let mut written = 0u64;
        while written < self.n {
            let batch = (self.n - written).min(CHUNK as u64);
            let mut donations = Vec::with_capacity(batch as usize);
            let mut entries = Vec::with_capacity(batch as usize);
            for i in written..written + batch {
                self.one(i, &mut totals, &mut donations, &mut entries);
            }
            let batch = if self.csv {
                Batch::Csv {
                    donations: donations_csv(donations),
                    entries: entries_csv(entries),
                }
            } else {
                Batch::Rows { donations, entries }
            };
            if out.blocking_send(batch).is_err() {
                break; // the loader stopped on an error
            }
            written += CHUNK as u64;
        }
        totals
    }

    fn one(
        &mut self,
        i: u64,
        totals: &mut Totals,
        donations: &mut Vec<donation::Model>,
        entries: &mut Vec<credit_entry::Model>,
    ) {
        let (rng, donors, now) = (&mut self.rng, &self.donors, self.now);
        let project = &self.projects[rng.random_range(0..self.projects.len())];
        let roll: f64 = rng.random();
        let donor = if roll < 0.7 {
            Some(donors[rng.random_range(0..self.resident_count)])
        } else if roll < 0.85 {
            Some(donors[self.resident_count + rng.random_range(0..self.enterprise_count)])
        } else {
            None
        };
        let amount_fen: i64 = match donor.map(|d| d.1) {
            Some(DonorKind::Enterprise) => rng.random_range(1_000..200_000) * 100,
            _ => {
                let yuan: i64 = if rng.random_bool(0.9) {
                    rng.random_range(10..500)
                } else {
                    rng.random_range(500..20_000)
                };
                yuan * 100 + rng.random_range(0..2) * 50
            }
        };
        let donated_at = now - Duration::minutes(rng.random_range(60..730 * 24 * 60));
        let rule = donor.and_then(|d| self.rules.at(rules::donation_rule_kind(d.1), donated_at));
        let credits = rule.map_or(0, |r| rules::credits_for(r, amount_fen));
        let id = Uuid::now_v7();
        donations.push(donation::Model {
            id,
            org_id: project.org_id,
            project_id: project.id,
            campaign_id: None,
            donor_id: donor.map(|d| d.0),
            walk_in_name: None,
            donor_kind: donor.map(|d| d.1),
            town_id: donor.map(|d| d.2),
            kind: DonationKind::Money,
            amount_fen,
            goods_description: None,
            goods_quantity: None,
            channel: [
                DonationChannel::Online,
                DonationChannel::Offline,
                DonationChannel::BankTransfer,
            ][rng.random_range(0..3)],
            funding_source: FundingSource::Public,
            donated_at,
            receipt_no: format!("SCALE-{i:010}"),
            visibility: [Visibility::Named, Visibility::Masked, Visibility::Anonymous]
                [rng.random_range(0..3)],
            status: DonationStatus::Confirmed,
            credits_awarded: credits,
            credit_rule_id: rule.map(|r| r.id),
            void_reason: None,
            voided_at: None,
            voided_by: None,
            recorded_by: self.admin_id,
            verification_code: format!("S{i:011X}"),
            created_at: now,
        });
        if let Some(d) = donor {
            let (balance, cumulative) = totals.entry(d.0).or_default();
            *cumulative += amount_fen;
            if credits > 0 {
                *balance += credits;
                entries.push(credit_entry::Model {
                    id: Uuid::now_v7(),
                    donor_id: d.0,
                    kind: CreditEntryKind::Donation,
                    amount: credits,
                    balance_after: *balance,
                    donation_id: Some(id),
                    certification_id: None,
                    redemption_id: None,
                    reverses_entry_id: None,
                    rule_id: rule.map(|r| r.id),
                    note: None,
                    created_by: Some(self.admin_id),
                    created_at: now,
                });
            }
        }
    }
}

/// Write what the generator makes as it makes it; the donors' totals at the end.
async fn load(writer: &Writer<'_>, generator: Generator) -> AppResult<Totals> {
    let started = Instant::now();
    let n = generator.n;
    let (tx, mut rx) = tokio::sync::mpsc::channel(2);
    let producer = tokio::task::spawn_blocking(move || generator.run(tx));
    let mut written = 0u64;
    while let Some(batch) = rx.recv().await {
        match batch {
            Batch::Csv { donations, entries } if writer.relaxed_checks => {
                // Two connections, two cores: the tables load side by side.
                tokio::try_join!(
                    writer.copy("donations", DONATION_COLUMNS, donations),
                    writer.copy("credit_entries", ENTRY_COLUMNS, entries)
                )?;
            }
            Batch::Csv { donations, entries } => {
                writer
                    .copy("donations", DONATION_COLUMNS, donations)
                    .await?;
                writer
                    .copy("credit_entries", ENTRY_COLUMNS, entries)
                    .await?;
            }
            Batch::Rows { donations, entries } => {
                writer
                    .insert_chunks::<donation::Entity, _>(donations, 1_000)
                    .await?;
                writer
                    .insert_chunks::<credit_entry::Entity, _>(entries, 2_000)
                    .await?;
            }
        }
        written = (written + CHUNK as u64).min(n);
        tracing::info!(written, total = n, "scale seeding");
    }
    let totals = producer.await.map_err(AppError::internal)?;
    tracing::info!(
        secs = started.elapsed().as_secs_f64(),
        "donations and entries written"
    );
    Ok(totals)
}

/// An index dropped for the load, and the statement that rebuilds it.
struct DeferredIndex {
    name: String,
    definition: String,
}

/// The tables the load fills.
const LOADED_TABLES: &str = "'donations', 'credit_entries'";

/// Drop the secondary indexes of the loaded tables when they hold fewer rows than the load
/// adds (the demo seed's few thousand against a benchmark's million). Indexes that back a
/// constraint (primary keys, referenced by foreign keys) stay.
async fn defer_indexes(db: &Db, n: u64) -> AppResult<Vec<DeferredIndex>> {
    use sea_orm::{FromQueryResult, Statement};
    #[derive(FromQueryResult)]
    struct Row {
        name: String,
        definition: String,
    }
    let existing: i64 = db
        .conn
        .query_one_raw(Statement::from_string(
            db.backend(),
            "SELECT COUNT(*) AS n FROM donations",
        ))
        .await?
        .map(|row| row.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    if u64::try_from(existing).unwrap_or(u64::MAX) >= n {
        return Ok(Vec::new());
    }
    let indexes = Row::find_by_statement(Statement::from_string(
        db.backend(),
        format!(
            "SELECT quote_ident(c.relname) AS name, pg_get_indexdef(i.indexrelid) AS definition \
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             JOIN pg_class t ON t.oid = i.indrelid \
             JOIN pg_namespace s ON s.oid = t.relnamespace \
             WHERE s.nspname = current_schema() AND t.relname IN ({LOADED_TABLES}) \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
        ),
    ))
    .all(&db.conn)
    .await?;
    let mut deferred = Vec::with_capacity(indexes.len());
    for index in indexes {
        if let Err(e) = db
            .conn
            .execute_unprepared(&format!("DROP INDEX {}", index.name))
            .await
        {
            // Put back what was dropped before reporting.
            rebuild_indexes(db, &deferred).await.ok();
            return Err(e.into());
        }
        deferred.push(DeferredIndex {
            name: index.name,
            definition: index.definition,
        });
    }
    tracing::info!(
        count = deferred.len(),
        "secondary indexes deferred until after the load"
    );
    Ok(deferred)
}

/// Build the deferred indexes again, two at a time (one per core), each with room to sort.
async fn rebuild_indexes(db: &Db, deferred: &[DeferredIndex]) -> AppResult<()> {
    use futures::{StreamExt, TryStreamExt};
    if deferred.is_empty() {
        return Ok(());
    }
    let started = Instant::now();
    futures::stream::iter(deferred)
        .map(|index| async move {
            use sea_orm::sqlx;
            let fail = |err: sqlx::Error| {
                AppError::internal(anyhow::anyhow!("rebuilding index {}: {err}", index.name))
            };
            let pool = db.conn.get_postgres_connection_pool();
            let mut conn = pool.acquire().await.map_err(fail)?;
            sqlx::raw_sql("SET maintenance_work_mem = '256MB'")
                .execute(&mut *conn)
                .await
                .map_err(fail)?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(index.definition.clone()))
                .execute(&mut *conn)
                .await
                .map_err(fail)?;
            sqlx::raw_sql("RESET maintenance_work_mem")
                .execute(&mut *conn)
                .await
                .map_err(fail)?;
            Ok::<_, AppError>(())
        })
        .buffer_unordered(2)
        .try_collect::<Vec<()>>()
        .await?;
    tracing::info!(
        count = deferred.len(),
        secs = started.elapsed().as_secs_f64(),
        "secondary indexes rebuilt"
    );
    Ok(())
}

/// Superusers (as in a benchmark database) may load without foreign-key triggers.
async fn may_skip_triggers(db: &Db) -> bool {
    use sea_orm::ConnectionTrait;
    db.conn
        .query_one_raw(sea_orm::Statement::from_string(
            db.backend(),
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user",
        ))
        .await
        .ok()
        .flatten()
        .and_then(|row| row.try_get::<bool>("", "rolsuper").ok())
        .unwrap_or(false)
}

fn scale_phone(i: usize) -> String {
    format!("16{i:09}")
}

/// Every conversion rule, in memory, for generating many donations quickly.
struct RuleBook(Vec<credit_rule::Model>);

impl RuleBook {
    async fn load(db: &Db) -> AppResult<Self> {
        Ok(Self(
            credit_rule::Entity::find()
                .order_by_desc(credit_rule::Column::EffectiveFrom)
                .all(&db.conn)
                .await?,
        ))
    }

    fn at(&self, kind: CreditRuleKind, at: chrono::DateTime<Utc>) -> Option<&credit_rule::Model> {
        self.0
            .iter()
            .find(|r| r.kind == kind && r.effective_from <= at)
    }
}

/// Bulk writes: COPY on PostgreSQL, chunked multi-row INSERT on SQLite.
struct Writer<'a> {
    db: &'a Db,
    /// Whether this role may switch off foreign-key triggers for the bulk load.
    relaxed_checks: bool,
}

fn csv_field(out: &mut String, value: Option<String>) {
    if let Some(v) = value {
        out.push('"');
        out.push_str(&v.replace('"', "\"\""));
        out.push('"');
    }
}

fn csv_line(out: &mut String, fields: Vec<Option<String>>) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(out, f);
    }
    out.push('\n');
}

fn s(v: impl ToString) -> Option<String> {
    Some(v.to_string())
}

fn e<T: ActiveEnum<Value = String>>(v: T) -> Option<String> {
    Some(v.to_value())
}

impl Writer<'_> {
    async fn copy(&self, table: &str, columns: &str, body: String) -> AppResult<()> {
        use sea_orm::sqlx;
        let fail = |err: sqlx::Error| AppError::internal(anyhow::anyhow!("COPY {table}: {err}"));
        let pool = self.db.conn.get_postgres_connection_pool();
        let mut conn = pool.acquire().await.map_err(fail)?;
        // The generated rows are consistent by construction, so where the role may, skip the
        // per-row foreign-key triggers: they cost more than the rows themselves, and they
        // would make the two tables' loads wait on each other. Without the privilege the
        // checks run (and the caller loads the tables one after the other).
        let relaxed = self.relaxed_checks
            && sqlx::raw_sql("SET session_replication_role = replica")
                .execute(&mut *conn)
                .await
                .is_ok();
        let mut copy = conn
            .copy_in_raw(&format!(
                "COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)"
            ))
            .await
            .map_err(fail)?;
        copy.send(body.into_bytes()).await.map_err(fail)?;
        copy.finish().await.map_err(fail)?;
        if relaxed {
            sqlx::raw_sql("RESET session_replication_role")
                .execute(&mut *conn)
                .await
                .map_err(fail)?;
        }
        Ok(())
    }

    async fn insert_chunks<E, M>(&self, rows: Vec<M>, per_statement: usize) -> AppResult<()>
    where
        E: EntityTrait<Model = M>,
        M: IntoActiveModel<E::ActiveModel> + Clone,
        E::ActiveModel: sea_orm::ActiveModelTrait<Entity = E> + Send,
    {
        let txn = self.db.begin_write().await?;
        for chunk in rows.chunks(per_statement) {
            E::insert_many(
                chunk
                    .iter()
                    .cloned()
                    .map(IntoActiveModel::into_active_model),
            )
            .exec(&*txn)
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    async fn donors(&self, rows: Vec<donor::Model>) -> AppResult<()> {
        if !self.db.is_postgres() {
            return self.insert_chunks::<donor::Entity, _>(rows, 2_000).await;
        }
        let mut body = String::new();
        for r in rows {
            csv_line(
                &mut body,
                vec![
                    s(r.id),
                    e(r.kind),
                    s(&r.display_name),
                    r.town_id.map(|t| t.to_string()),
                    s(r.credit_balance),
                    s(r.cumulative_donation_fen),
                    s(r.created_at.to_rfc3339()),
                ],
            );
        }
        self.copy(
            "donors",
            "id, kind, display_name, town_id, credit_balance, cumulative_donation_fen, created_at",
            body,
        )
        .await
    }

    async fn residents(&self, rows: Vec<resident::Model>) -> AppResult<()> {
        if !self.db.is_postgres() {
            return self.insert_chunks::<resident::Entity, _>(rows, 2_000).await;
        }
        let mut body = String::new();
        for r in rows {
            csv_line(
                &mut body,
                vec![
                    s(r.id),
                    s(&r.name),
                    s(&r.phone),
                    None,
                    r.town_id.map(|t| t.to_string()),
                    s(r.name_consent),
                    e(r.name_style),
                    None,
                    None,
                    s(r.created_at.to_rfc3339()),
                ],
            );
        }
        self.copy("residents", "id, name, phone, id_number, town_id, name_consent, name_style, consent_given_at, consent_withdrawn_at, created_at", body).await
    }

    async fn enterprises(&self, rows: Vec<enterprise::Model>) -> AppResult<()> {
        if !self.db.is_postgres() {
            return self
                .insert_chunks::<enterprise::Entity, _>(rows, 2_000)
                .await;
        }
        let mut body = String::new();
        for r in rows {
            csv_line(
                &mut body,
                vec![
                    s(r.id),
                    s(&r.name),
                    e(r.kind),
                    None,
                    None,
                    r.town_id.map(|t| t.to_string()),
                    s(r.created_at.to_rfc3339()),
                ],
            );
        }
        self.copy(
            "enterprises",
            "id, name, kind, credit_code, parent_id, town_id, created_at",
            body,
        )
        .await
    }

    /// Set the donors' totals from a temporary table filled by COPY: one set-based update.
    async fn totals(&self, totals: Totals) -> AppResult<()> {
        use sea_orm::sqlx;
        let fail = |err: sqlx::Error| AppError::internal(anyhow::anyhow!("donor totals: {err}"));
        let mut body = String::with_capacity(totals.len() * 60);
        for (id, (balance, cumulative)) in totals {
            csv_line(&mut body, vec![s(id), s(balance), s(cumulative)]);
        }
        let pool = self.db.conn.get_postgres_connection_pool();
        let mut conn = pool.acquire().await.map_err(fail)?;
        sqlx::raw_sql(
            "CREATE TEMPORARY TABLE scale_totals (id uuid PRIMARY KEY, balance bigint NOT NULL, \
             cumulative bigint NOT NULL) ON COMMIT PRESERVE ROWS",
        )
        .execute(&mut *conn)
        .await
        .map_err(fail)?;
        let mut copy = conn
            .copy_in_raw("COPY scale_totals (id, balance, cumulative) FROM STDIN WITH (FORMAT csv)")
            .await
            .map_err(fail)?;
        copy.send(body.into_bytes()).await.map_err(fail)?;
        copy.finish().await.map_err(fail)?;
        sqlx::raw_sql(
            "UPDATE donors SET credit_balance = t.balance, cumulative_donation_fen = t.cumulative \
             FROM scale_totals t WHERE donors.id = t.id; DROP TABLE scale_totals",
        )
        .execute(&mut *conn)
        .await
        .map_err(fail)?;
        Ok(())
    }
}

const DONATION_COLUMNS: &str = "id, org_id, project_id, campaign_id, donor_id, walk_in_name, donor_kind, town_id, kind, \
     amount_fen, goods_description, goods_quantity, channel, funding_source, donated_at, receipt_no, \
     visibility, status, credits_awarded, credit_rule_id, void_reason, voided_at, voided_by, \
     recorded_by, verification_code, created_at";

const ENTRY_COLUMNS: &str = "id, donor_id, kind, amount, balance_after, donation_id, certification_id, redemption_id, \
     reverses_entry_id, rule_id, note, created_by, created_at";

fn donations_csv(rows: Vec<donation::Model>) -> String {
    let mut body = String::with_capacity(rows.len() * 400);
    for r in rows {
        csv_line(
            &mut body,
            vec![
                s(r.id),
                s(r.org_id),
                s(r.project_id),
                r.campaign_id.map(|v| v.to_string()),
                r.donor_id.map(|v| v.to_string()),
                r.walk_in_name.clone(),
                r.donor_kind.map(|k| k.to_value()),
                r.town_id.map(|v| v.to_string()),
                e(r.kind),
                s(r.amount_fen),
                None,
                None,
                e(r.channel),
                e(r.funding_source),
                s(r.donated_at.to_rfc3339()),
                s(&r.receipt_no),
                e(r.visibility),
                e(r.status),
                s(r.credits_awarded),
                r.credit_rule_id.map(|v| v.to_string()),
                None,
                None,
                None,
                s(r.recorded_by),
                s(&r.verification_code),
                s(r.created_at.to_rfc3339()),
            ],
        );
    }
    body
}

fn entries_csv(rows: Vec<credit_entry::Model>) -> String {
    let mut body = String::with_capacity(rows.len() * 250);
    for r in rows {
        csv_line(
            &mut body,
            vec![
                s(r.id),
                s(r.donor_id),
                e(r.kind),
                s(r.amount),
                s(r.balance_after),
                r.donation_id.map(|v| v.to_string()),
                None,
                None,
                None,
                r.rule_id.map(|v| v.to_string()),
                None,
                r.created_by.map(|v| v.to_string()),
                s(r.created_at.to_rfc3339()),
            ],
        );
    }
    body
}
