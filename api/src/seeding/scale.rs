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
    writer.donors(donor_rows).await?;
    writer.residents(resident_rows).await?;
    writer.enterprises(enterprise_rows).await?;

    let mut balances: HashMap<Uuid, i64> = HashMap::new();
    let mut written = 0u64;
    while written < n {
        let batch = (n - written).min(CHUNK as u64);
        let mut donations = Vec::with_capacity(batch as usize);
        let mut entries = Vec::with_capacity(batch as usize);
        for i in written..written + batch {
            let project = &projects[rng.random_range(0..projects.len())];
            let roll: f64 = rng.random();
            let donor = if roll < 0.7 {
                Some(donors[rng.random_range(0..resident_count)])
            } else if roll < 0.85 {
                Some(donors[resident_count + rng.random_range(0..enterprise_count)])
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
            let rule = donor.and_then(|d| rules.at(rules::donation_rule_kind(d.1), donated_at));
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
                recorded_by: admin.id,
                verification_code: format!("S{i:011X}"),
                created_at: now,
            });
            if let (Some(d), true) = (donor, credits > 0) {
                let balance = balances.entry(d.0).or_default();
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
                    created_by: Some(admin.id),
                    created_at: now,
                });
            }
        }
        if writer.relaxed_checks {
            // Two connections, two cores: the tables load side by side.
            tokio::try_join!(writer.donations(donations), writer.entries(entries))?;
        } else {
            writer.donations(donations).await?;
            writer.entries(entries).await?;
        }
        written += batch;
        tracing::info!(written, total = n, "scale seeding");
    }

    // The donors' totals follow from what was written, in one set-based statement.
    db.conn
        .execute_unprepared(
            "UPDATE donors SET \
             credit_balance = COALESCE((SELECT SUM(e.amount) FROM credit_entries e WHERE e.donor_id = donors.id), 0), \
             cumulative_donation_fen = COALESCE((SELECT SUM(d.amount_fen) FROM donations d \
               WHERE d.donor_id = donors.id AND d.status = 'CONFIRMED'), 0)",
        )
        .await?;
    if db.is_postgres() {
        db.conn.execute_unprepared("ANALYZE").await?;
    }
    Ok(format!(
        "generated {n} donations, {resident_count} residents and {enterprise_count} enterprises in {:.1} s",
        started.elapsed().as_secs_f64()
    ))
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

    async fn donations(&self, rows: Vec<donation::Model>) -> AppResult<()> {
        if !self.db.is_postgres() {
            return self.insert_chunks::<donation::Entity, _>(rows, 1_000).await;
        }
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
        self.copy(
            "donations",
            "id, org_id, project_id, campaign_id, donor_id, walk_in_name, donor_kind, town_id, kind, \
             amount_fen, goods_description, goods_quantity, channel, funding_source, donated_at, receipt_no, \
             visibility, status, credits_awarded, credit_rule_id, void_reason, voided_at, voided_by, \
             recorded_by, verification_code, created_at",
            body,
        )
        .await
    }

    async fn entries(&self, rows: Vec<credit_entry::Model>) -> AppResult<()> {
        if !self.db.is_postgres() {
            return self
                .insert_chunks::<credit_entry::Entity, _>(rows, 2_000)
                .await;
        }
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
        self.copy(
            "credit_entries",
            "id, donor_id, kind, amount, balance_after, donation_id, certification_id, redemption_id, \
             reverses_entry_id, rule_id, note, created_by, created_at",
            body,
        )
        .await
    }
}
