//! The rows of each export, scoped to what the viewer may see: ADMIN any org (or one),
//! ORG_STAFF their own org only.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::model::{Dataset, Period};
use crate::{
    auth::Viewer,
    db::Db,
    district_time::DISTRICT_TZ,
    district_time::day_end,
    entities::{
        activity, campaign, charity_org, charity_project, disbursement, disbursement_allocation,
        donation, donor,
        enums::{
            DisputeStatus, DonationChannel, DonationKind, DonationStatus, DonorKind, FundingSource,
            Role,
        },
        hour_certification, resident,
    },
    error::{AppError, AppResult},
};

/// More rows than this in one file: narrow the period.
pub const MAX_ROWS: u64 = 200_000;
/// Ids per `IN (...)` list.
const CHUNK: usize = 500;

/// One cell: money stays integer fen until the writer formats it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Fen(i64),
    /// Minutes, written as hours.
    Minutes(i64),
}

/// A sheet: Chinese headers and the rows under them.
#[derive(Clone, Debug)]
pub struct Table {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

/// The org whose rows the viewer may export: `None` = every org (ADMIN without a filter).
pub fn scope(viewer: &Viewer, requested: Option<Uuid>) -> AppResult<Option<Uuid>> {
    match viewer.role {
        Role::Admin => Ok(requested),
        Role::OrgStaff => {
            let own = viewer
                .org_id
                .ok_or_else(|| AppError::forbidden("not a charity organisation's staff"))?;
            match requested {
                Some(other) if other != own => Err(AppError::forbidden(
                    "not allowed to export another organisation's data",
                )),
                _ => Ok(Some(own)),
            }
        }
        _ => Err(AppError::forbidden(
            "exports are for the bureau and charity organisations",
        )),
    }
}

/// The rows of `dataset` for `period`, limited to `org_id` when given.
#[tracing::instrument(skip(db))]
pub async fn table(
    db: &Db,
    dataset: Dataset,
    period: Period,
    org_id: Option<Uuid>,
) -> AppResult<Table> {
    match dataset {
        Dataset::Donations => donations(db, period, org_id).await,
        Dataset::Disbursements => disbursements(db, period, org_id).await,
        Dataset::Hours => hours(db, period, org_id).await,
    }
}

fn too_many() -> AppError {
    AppError::bad_field(
        "to",
        format!("more than {MAX_ROWS} rows; export a shorter period"),
    )
}

fn local_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&DISTRICT_TZ)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

async fn names<E, C>(
    conn: &impl ConnectionTrait,
    id: C,
    name: C,
) -> AppResult<HashMap<Uuid, String>>
where
    E: EntityTrait,
    C: ColumnTrait,
{
    let rows: Vec<(Uuid, String)> = E::find()
        .select_only()
        .column(id)
        .column(name)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

fn kind_label(kind: DonationKind) -> &'static str {
    match kind {
        DonationKind::Money => "款",
        DonationKind::Goods => "物",
    }
}

async fn donations(db: &Db, period: Period, org_id: Option<Uuid>) -> AppResult<Table> {
    let conn = &db.conn;
    let rows = rows_of::<donation::Entity>(
        db,
        instants(donation::Column::DonatedAt, period),
        donation::Column::OrgId,
        org_id,
        [donation::Column::DonatedAt, donation::Column::Id],
    )
    .await?;
    let orgs =
        names::<charity_org::Entity, _>(conn, charity_org::Column::Id, charity_org::Column::Name)
            .await?;
    let projects = names::<charity_project::Entity, _>(
        conn,
        charity_project::Column::Id,
        charity_project::Column::Name,
    )
    .await?;
    let campaigns =
        names::<campaign::Entity, _>(conn, campaign::Column::Id, campaign::Column::Name).await?;
    let donor_ids: Vec<Uuid> = rows.iter().filter_map(|d| d.donor_id).collect();
    let mut donors: HashMap<Uuid, String> = HashMap::new();
    for chunk in donor_ids.chunks(CHUNK) {
        let found: Vec<(Uuid, String)> = donor::Entity::find()
            .select_only()
            .column(donor::Column::Id)
            .column(donor::Column::DisplayName)
            .filter(donor::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        donors.extend(found);
    }
    let text = |s: &str| Cell::Text(s.to_owned());
    Ok(Table {
        headers: vec![
            "收据编号",
            "捐赠时间",
            "慈善组织",
            "慈善项目",
            "捐赠方",
            "捐赠方类型",
            "捐赠类型",
            "金额（元）",
            "物资描述",
            "物资数量",
            "捐赠渠道",
            "资金来源",
            "所属活动",
            "状态",
            "获得积分",
        ],
        rows: rows
            .into_iter()
            .map(|d| {
                let donor = match d.donor_id {
                    Some(id) => donors.get(&id).cloned().unwrap_or_default(),
                    None => d.walk_in_name.clone().unwrap_or_else(|| "爱心人士".into()),
                };
                vec![
                    text(&d.receipt_no),
                    Cell::Text(local_time(d.donated_at)),
                    text(orgs.get(&d.org_id).map_or("", String::as_str)),
                    text(projects.get(&d.project_id).map_or("", String::as_str)),
                    Cell::Text(donor),
                    text(match d.donor_kind {
                        Some(DonorKind::Resident) => "居民",
                        Some(DonorKind::Enterprise) => "企业/单位",
                        None => "现场捐赠",
                    }),
                    text(kind_label(d.kind)),
                    Cell::Fen(d.amount_fen),
                    Cell::Text(d.goods_description.unwrap_or_default()),
                    d.goods_quantity
                        .map_or(Cell::Text(String::new()), |q| Cell::Int(i64::from(q))),
                    text(match d.channel {
                        DonationChannel::Online => "线上",
                        DonationChannel::Offline => "线下",
                        DonationChannel::OneDayDonation => "慈善一日捐",
                        DonationChannel::BankTransfer => "银行转账",
                        DonationChannel::Other => "其他",
                    }),
                    text(match d.funding_source {
                        FundingSource::Public => "社会捐赠",
                        FundingSource::GovernmentMatching => "政府配捐",
                        FundingSource::CharityTransfer => "慈善转拨",
                    }),
                    Cell::Text(
                        d.campaign_id
                            .and_then(|c| campaigns.get(&c).cloned())
                            .unwrap_or_default(),
                    ),
                    text(match d.status {
                        DonationStatus::Confirmed => "有效",
                        DonationStatus::Voided => "已作废",
                    }),
                    Cell::Int(d.credits_awarded),
                ]
            })
            .collect(),
    })
}

async fn disbursements(db: &Db, period: Period, org_id: Option<Uuid>) -> AppResult<Table> {
    let conn = &db.conn;
    let rows = rows_of::<disbursement::Entity>(
        db,
        days(disbursement::Column::DisbursedOn, period),
        disbursement::Column::OrgId,
        org_id,
        [disbursement::Column::DisbursedOn, disbursement::Column::Id],
    )
    .await?;
    let orgs =
        names::<charity_org::Entity, _>(conn, charity_org::Column::Id, charity_org::Column::Name)
            .await?;
    let projects = names::<charity_project::Entity, _>(
        conn,
        charity_project::Column::Id,
        charity_project::Column::Name,
    )
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|d| d.id).collect();
    let mut funded: HashMap<Uuid, i64> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let counts: Vec<(Uuid, i64)> = disbursement_allocation::Entity::find()
            .select_only()
            .column(disbursement_allocation::Column::DisbursementId)
            .column_as(disbursement_allocation::Column::Id.count(), "n")
            .filter(disbursement_allocation::Column::DisbursementId.is_in(chunk.to_vec()))
            .group_by(disbursement_allocation::Column::DisbursementId)
            .into_tuple()
            .all(conn)
            .await?;
        funded.extend(counts);
    }
    let text = |s: &str| Cell::Text(s.to_owned());
    Ok(Table {
        headers: vec![
            "拨付日期",
            "慈善组织",
            "慈善项目",
            "类型",
            "金额（元）",
            "物资描述",
            "物资数量",
            "用途",
            "受益人数",
            "凭证号",
            "资助捐赠笔数",
            "登记时间",
        ],
        rows: rows
            .into_iter()
            .map(|d| {
                vec![
                    Cell::Text(d.disbursed_on.format("%Y-%m-%d").to_string()),
                    text(orgs.get(&d.org_id).map_or("", String::as_str)),
                    text(projects.get(&d.project_id).map_or("", String::as_str)),
                    text(kind_label(d.kind)),
                    Cell::Fen(d.amount_fen),
                    Cell::Text(d.goods_description.clone().unwrap_or_default()),
                    d.goods_quantity
                        .map_or(Cell::Text(String::new()), |q| Cell::Int(i64::from(q))),
                    Cell::Text(d.purpose.clone()),
                    Cell::Int(i64::from(d.beneficiaries)),
                    Cell::Text(d.document_ref.clone().unwrap_or_default()),
                    Cell::Int(funded.get(&d.id).copied().unwrap_or(0)),
                    Cell::Text(local_time(d.created_at)),
                ]
            })
            .collect(),
    })
}

async fn hours(db: &Db, period: Period, org_id: Option<Uuid>) -> AppResult<Table> {
    let conn = &db.conn;
    let rows = rows_of::<hour_certification::Entity>(
        db,
        instants(hour_certification::Column::CertifiedAt, period),
        hour_certification::Column::OrgId,
        org_id,
        [
            hour_certification::Column::CertifiedAt,
            hour_certification::Column::Id,
        ],
    )
    .await?;
    let orgs =
        names::<charity_org::Entity, _>(conn, charity_org::Column::Id, charity_org::Column::Name)
            .await?;
    let mut activities: HashMap<Uuid, (String, chrono::DateTime<chrono::Utc>)> = HashMap::new();
    let activity_ids: Vec<Uuid> = rows.iter().map(|h| h.activity_id).collect();
    for chunk in activity_ids.chunks(CHUNK) {
        let found: Vec<(Uuid, String, chrono::DateTime<chrono::Utc>)> = activity::Entity::find()
            .select_only()
            .column(activity::Column::Id)
            .column(activity::Column::Title)
            .column(activity::Column::StartsAt)
            .filter(activity::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        activities.extend(found.into_iter().map(|(id, t, s)| (id, (t, s))));
    }
    let mut residents: HashMap<Uuid, String> = HashMap::new();
    let resident_ids: Vec<Uuid> = rows.iter().map(|h| h.resident_id).collect();
    for chunk in resident_ids.chunks(CHUNK) {
        let found: Vec<(Uuid, String)> = resident::Entity::find()
            .select_only()
            .column(resident::Column::Id)
            .column(resident::Column::Name)
            .filter(resident::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        residents.extend(found);
    }
    let text = |s: &str| Cell::Text(s.to_owned());
    Ok(Table {
        headers: vec![
            "认证时间",
            "慈善组织",
            "志愿服务活动",
            "活动开始时间",
            "志愿者",
            "时长（小时）",
            "争议状态",
        ],
        rows: rows
            .into_iter()
            .map(|h| {
                let (title, starts) = activities
                    .get(&h.activity_id)
                    .map(|(t, s)| (t.clone(), local_time(*s)))
                    .unwrap_or_default();
                vec![
                    Cell::Text(local_time(h.certified_at)),
                    text(orgs.get(&h.org_id).map_or("", String::as_str)),
                    Cell::Text(title),
                    Cell::Text(starts),
                    text(residents.get(&h.resident_id).map_or("", String::as_str)),
                    Cell::Minutes(i64::from(h.minutes)),
                    text(match h.dispute_status {
                        DisputeStatus::None => "无",
                        DisputeStatus::Open => "申诉中",
                        DisputeStatus::Upheld => "申诉成立",
                        DisputeStatus::Rejected => "申诉驳回",
                    }),
                ]
            })
            .collect(),
    })
}

/// Every dataset reads the same way: the rows of the period, of one org when asked, oldest
/// first, and no more than an export may hold.
async fn rows_of<E: EntityTrait>(
    db: &Db,
    within: Condition,
    org_column: E::Column,
    org_id: Option<Uuid>,
    order: [E::Column; 2],
) -> AppResult<Vec<E::Model>> {
    let mut select = E::find().filter(within);
    if let Some(org_id) = org_id {
        select = select.filter(org_column.eq(org_id));
    }
    let rows = select
        .order_by_asc(order[0])
        .order_by_asc(order[1])
        .limit(MAX_ROWS + 1)
        .all(&db.conn)
        .await?;
    if rows.len() as u64 > MAX_ROWS {
        return Err(too_many());
    }
    Ok(rows)
}

/// An instant column within the period's local days.
fn instants(column: impl ColumnTrait, period: Period) -> Condition {
    Condition::all()
        .add(column.gte(crate::district_time::local_midnight(period.from)))
        .add(column.lt(day_end(period.to)))
}

/// A date column within the period's days.
fn days(column: impl ColumnTrait, period: Period) -> Condition {
    Condition::all()
        .add(column.gte(period.from))
        .add(column.lte(period.to))
}
