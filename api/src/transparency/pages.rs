//! The public pages of 阳光慈善: a project's raised versus disbursed (by purpose and month),
//! its goods stock, and an organisation's projects, totals and annual disclosure.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, Func},
};
use uuid::Uuid;

use crate::{
    db::Db,
    db::sum_as_bigint,
    district_time::{DISTRICT_TZ, day_end, local_midnight},
    entities::{
        charity_org, charity_project, disbursement, donation,
        enums::{DonationKind, DonationStatus},
        goods_stock_movement,
    },
    error::{AppError, AppResult},
};

/// Money and goods value side by side.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Amounts {
    pub money_fen: i64,
    pub goods_fen: i64,
}

impl Amounts {
    pub fn total_fen(&self) -> i64 {
        self.money_fen + self.goods_fen
    }

    fn add(&mut self, kind: DonationKind, fen: i64) {
        match kind {
            DonationKind::Money => self.money_fen += fen,
            DonationKind::Goods => self.goods_fen += fen,
        }
    }

    fn minus(self, other: Amounts) -> Amounts {
        Amounts {
            money_fen: self.money_fen - other.money_fen,
            goods_fen: self.goods_fen - other.goods_fen,
        }
    }
}

/// What was spent on one purpose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PurposeRow {
    pub purpose: String,
    pub disbursed: Amounts,
    pub disbursements: i64,
    pub beneficiaries: i64,
}

/// One month (Asia/Shanghai) of a project: raised and disbursed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthRow {
    /// `YYYY-MM`.
    pub month: String,
    pub raised: Amounts,
    pub disbursed: Amounts,
}

/// The public page of a project.
#[derive(Clone, Debug)]
pub struct ProjectPage {
    pub project: charity_project::Model,
    pub raised: Amounts,
    pub disbursed: Amounts,
    pub donations: i64,
    pub disbursements: i64,
    pub beneficiaries: i64,
    pub by_purpose: Vec<PurposeRow>,
    pub by_month: Vec<MonthRow>,
}

impl ProjectPage {
    /// Raised and not yet disbursed.
    pub fn balance(&self) -> Amounts {
        self.raised.minus(self.disbursed)
    }
}

fn month_key(day: NaiveDate) -> String {
    day.format("%Y-%m").to_string()
}

/// Raised versus disbursed for one project, from the ledger as it stands.
#[tracing::instrument(skip(db))]
pub async fn project_page(db: &Db, project_id: Uuid) -> AppResult<ProjectPage> {
    let project = charity_project::Entity::find_by_id(project_id)
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::not_found("charity project"))?;
    let gifts: Vec<(DonationKind, i64, chrono::DateTime<chrono::Utc>)> = donation::Entity::find()
        .select_only()
        .column(donation::Column::Kind)
        .column(donation::Column::AmountFen)
        .column(donation::Column::DonatedAt)
        .filter(donation::Column::ProjectId.eq(project_id))
        .filter(donation::Column::Status.eq(DonationStatus::Confirmed))
        .into_tuple()
        .all(&db.conn)
        .await?;
    let spent = disbursement::Entity::find()
        .filter(disbursement::Column::ProjectId.eq(project_id))
        .order_by_asc(disbursement::Column::DisbursedOn)
        .all(&db.conn)
        .await?;

    let mut raised = Amounts::default();
    let mut months: BTreeMap<String, (Amounts, Amounts)> = BTreeMap::new();
    for (kind, fen, at) in &gifts {
        raised.add(*kind, *fen);
        let month = month_key(at.with_timezone(&DISTRICT_TZ).date_naive());
        months.entry(month).or_default().0.add(*kind, *fen);
    }
    let mut disbursed = Amounts::default();
    let mut beneficiaries = 0i64;
    let mut purposes: BTreeMap<String, PurposeRow> = BTreeMap::new();
    for d in &spent {
        disbursed.add(d.kind, d.amount_fen);
        beneficiaries += i64::from(d.beneficiaries);
        months
            .entry(month_key(d.disbursed_on))
            .or_default()
            .1
            .add(d.kind, d.amount_fen);
        let row = purposes
            .entry(d.purpose.clone())
            .or_insert_with(|| PurposeRow {
                purpose: d.purpose.clone(),
                disbursed: Amounts::default(),
                disbursements: 0,
                beneficiaries: 0,
            });
        row.disbursed.add(d.kind, d.amount_fen);
        row.disbursements += 1;
        row.beneficiaries += i64::from(d.beneficiaries);
    }
    let mut by_purpose: Vec<PurposeRow> = purposes.into_values().collect();
    by_purpose.sort_by(|a, b| {
        b.disbursed
            .total_fen()
            .cmp(&a.disbursed.total_fen())
            .then_with(|| a.purpose.cmp(&b.purpose))
    });
    Ok(ProjectPage {
        project,
        raised,
        disbursed,
        donations: gifts.len() as i64,
        disbursements: spent.len() as i64,
        beneficiaries,
        by_purpose,
        by_month: months
            .into_iter()
            .map(|(month, (raised, disbursed))| MonthRow {
                month,
                raised,
                disbursed,
            })
            .collect(),
    })
}

/// A goods donation as a stock lot: what came in, what went out, what is left. No donor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StockLot {
    pub donation_id: Uuid,
    pub description: String,
    pub received_on: NaiveDate,
    pub quantity_in: i64,
    pub quantity_out: i64,
    pub value_in_fen: i64,
    pub value_out_fen: i64,
}

/// Goods received by the project and not yet all given out, oldest first; `all` lists the
/// lots already emptied too.
pub async fn goods_stock(db: &Db, project_id: Uuid, all: bool) -> AppResult<Vec<StockLot>> {
    let lots = donation::Entity::find()
        .filter(donation::Column::ProjectId.eq(project_id))
        .filter(donation::Column::Kind.eq(DonationKind::Goods))
        .filter(donation::Column::Status.eq(DonationStatus::Confirmed))
        .order_by_asc(donation::Column::DonatedAt)
        .order_by_asc(donation::Column::Id)
        .all(&db.conn)
        .await?;
    let out: HashMap<Uuid, (i64, i64)> = goods_stock_movement::Entity::find()
        .select_only()
        .column(goods_stock_movement::Column::DonationId)
        .column_as(sum_as_bigint(goods_stock_movement::Column::Quantity), "q")
        .column_as(sum_as_bigint(goods_stock_movement::Column::ValueFen), "v")
        .filter(goods_stock_movement::Column::ProjectId.eq(project_id))
        .group_by(goods_stock_movement::Column::DonationId)
        .into_tuple::<(Uuid, Option<i64>, Option<i64>)>()
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|(id, q, v)| (id, (q.unwrap_or(0), v.unwrap_or(0))))
        .collect();
    Ok(lots
        .into_iter()
        .map(|d| {
            let (q_out, v_out) = out.get(&d.id).copied().unwrap_or((0, 0));
            StockLot {
                donation_id: d.id,
                description: d.goods_description.unwrap_or_default(),
                received_on: d.donated_at.with_timezone(&DISTRICT_TZ).date_naive(),
                quantity_in: i64::from(d.goods_quantity.unwrap_or(0)),
                quantity_out: q_out,
                value_in_fen: d.amount_fen,
                value_out_fen: v_out,
            }
        })
        .filter(|lot| all || lot.value_out_fen < lot.value_in_fen)
        .collect())
}

/// A project line on an org's page.
#[derive(Clone, Debug)]
pub struct ProjectLine {
    pub project: charity_project::Model,
    pub raised: Amounts,
    pub disbursed: Amounts,
}

/// The figures an org discloses for one calendar year (Asia/Shanghai).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Disclosure {
    pub year: i32,
    pub raised: Amounts,
    pub donations: i64,
    pub disbursed: Amounts,
    pub disbursements: i64,
    pub beneficiaries: i64,
    /// Raised in the year by funding source (`PUBLIC`, `GOVERNMENT_MATCHING`, ...).
    pub raised_by_source: Vec<(crate::entities::enums::FundingSource, i64)>,
}

/// The public page of an org.
#[derive(Clone, Debug)]
pub struct OrgPage {
    pub org: charity_org::Model,
    pub projects: Vec<ProjectLine>,
    pub disclosure: Disclosure,
}

impl OrgPage {
    pub fn raised(&self) -> Amounts {
        self.projects.iter().fold(Amounts::default(), |mut a, p| {
            a.money_fen += p.raised.money_fen;
            a.goods_fen += p.raised.goods_fen;
            a
        })
    }

    pub fn disbursed(&self) -> Amounts {
        self.projects.iter().fold(Amounts::default(), |mut a, p| {
            a.money_fen += p.disbursed.money_fen;
            a.goods_fen += p.disbursed.goods_fen;
            a
        })
    }
}

/// Sums per (key, kind) of confirmed donations or of disbursements.
async fn sums_by<C, E>(
    conn: &impl ConnectionTrait,
    select: sea_orm::Select<E>,
    key: C,
    kind: C,
    amount: C,
) -> AppResult<Vec<(Uuid, DonationKind, i64)>>
where
    C: ColumnTrait,
    E: EntityTrait,
{
    let rows: Vec<(Uuid, DonationKind, Option<i64>)> = select
        .select_only()
        .column(key)
        .column(kind)
        .column_as(sum_as_bigint(amount), "total")
        .group_by(key)
        .group_by(kind)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(k, kind, t)| (k, kind, t.unwrap_or(0)))
        .collect())
}

/// An org's projects with their totals, and its disclosure for `year`.
#[tracing::instrument(skip(db))]
pub async fn org_page(db: &Db, org_id: Uuid, year: i32) -> AppResult<OrgPage> {
    let org = charity_org::Entity::find_by_id(org_id)
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::not_found("charity organisation"))?;
    let projects = charity_project::Entity::find()
        .filter(charity_project::Column::OrgId.eq(org_id))
        .order_by_asc(charity_project::Column::Id)
        .all(&db.conn)
        .await?;
    let raised = sums_by(
        &db.conn,
        donation::Entity::find()
            .filter(donation::Column::OrgId.eq(org_id))
            .filter(donation::Column::Status.eq(DonationStatus::Confirmed)),
        donation::Column::ProjectId,
        donation::Column::Kind,
        donation::Column::AmountFen,
    )
    .await?;
    let disbursed = sums_by(
        &db.conn,
        disbursement::Entity::find().filter(disbursement::Column::OrgId.eq(org_id)),
        disbursement::Column::ProjectId,
        disbursement::Column::Kind,
        disbursement::Column::AmountFen,
    )
    .await?;
    let mut lines: Vec<ProjectLine> = projects
        .into_iter()
        .map(|project| ProjectLine {
            project,
            raised: Amounts::default(),
            disbursed: Amounts::default(),
        })
        .collect();
    for line in &mut lines {
        for (p, kind, fen) in &raised {
            if *p == line.project.id {
                line.raised.add(*kind, *fen);
            }
        }
        for (p, kind, fen) in &disbursed {
            if *p == line.project.id {
                line.disbursed.add(*kind, *fen);
            }
        }
    }
    let disclosure = disclosure(db, org_id, year).await?;
    Ok(OrgPage {
        org,
        projects: lines,
        disclosure,
    })
}

async fn disclosure(db: &Db, org_id: Uuid, year: i32) -> AppResult<Disclosure> {
    let first = NaiveDate::from_ymd_opt(year, 1, 1)
        .ok_or_else(|| AppError::bad_field("year", "not a year"))?;
    let last = NaiveDate::from_ymd_opt(year, 12, 31).expect("valid date");
    let in_year = donation::Entity::find()
        .filter(donation::Column::OrgId.eq(org_id))
        .filter(donation::Column::Status.eq(DonationStatus::Confirmed))
        .filter(donation::Column::DonatedAt.gte(local_midnight(first)))
        .filter(donation::Column::DonatedAt.lt(day_end(last)));
    let by_kind: Vec<(DonationKind, i64, Option<i64>)> = in_year
        .clone()
        .select_only()
        .column(donation::Column::Kind)
        .column_as(
            Expr::expr(Func::count(Expr::col(donation::Column::Id))),
            "n",
        )
        .column_as(sum_as_bigint(donation::Column::AmountFen), "total")
        .group_by(donation::Column::Kind)
        .into_tuple()
        .all(&db.conn)
        .await?;
    let by_source: Vec<(crate::entities::enums::FundingSource, Option<i64>)> = in_year
        .select_only()
        .column(donation::Column::FundingSource)
        .column_as(sum_as_bigint(donation::Column::AmountFen), "total")
        .group_by(donation::Column::FundingSource)
        .order_by_asc(donation::Column::FundingSource)
        .into_tuple()
        .all(&db.conn)
        .await?;
    let spent = disbursement::Entity::find()
        .filter(disbursement::Column::OrgId.eq(org_id))
        .filter(disbursement::Column::DisbursedOn.gte(first))
        .filter(disbursement::Column::DisbursedOn.lte(last))
        .all(&db.conn)
        .await?;
    let mut out = Disclosure {
        year,
        ..Default::default()
    };
    for (kind, n, total) in by_kind {
        out.raised.add(kind, total.unwrap_or(0));
        out.donations += n;
    }
    out.raised_by_source = by_source
        .into_iter()
        .map(|(s, t)| (s, t.unwrap_or(0)))
        .collect();
    for d in spent {
        out.disbursed.add(d.kind, d.amount_fen);
        out.disbursements += 1;
        out.beneficiaries += i64::from(d.beneficiaries);
    }
    Ok(out)
}
