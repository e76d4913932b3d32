//! The district indicators computed live from the ledger, volunteering and perk tables, each
//! against the plan's target, by town where the data carries a town.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, RelationTrait,
    Select,
    sea_query::{Expr, Func, OnConflict, SimpleExpr},
};
use uuid::Uuid;

use super::model::{Figure, IndicatorKey, IndicatorUnit, Target, target_for};
use crate::{
    auth::Viewer,
    db::Db,
    db::sum_as_bigint,
    district_time::{DISTRICT_TZ, local_midnight},
    entities::{
        campaign, charity_org, district_input, donation,
        enums::{DonationChannel, DonationStatus, VoucherStatus},
        hour_certification, perk_partner, perk_voucher, resident, signup,
    },
    error::{AppError, AppResult},
    money::Fen,
};

/// The campaign whose donations make up 慈善一日捐.
pub const ONE_DAY_CAMPAIGN: &str = "ONE_DAY_DONATION";

/// One town's figure; `town_id` is `None` for district-level rows (no town recorded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TownFigure {
    pub town_id: Option<Uuid>,
    pub figure: Figure,
}

/// An indicator as computed.
#[derive(Clone, Debug)]
pub struct Indicator {
    pub key: IndicatorKey,
    pub unit: IndicatorUnit,
    /// `None` when it cannot be computed (e.g. no population set, no base year).
    pub value: Option<Figure>,
    pub target: Option<Target>,
    pub target_source: Option<&'static str>,
    /// Why the value is missing, or how it is counted.
    pub note: Option<String>,
    pub by_town: Vec<TownFigure>,
}

impl Indicator {
    /// Met, not met, or unknown (no value or no target).
    pub fn met(&self) -> Option<bool> {
        Some(self.target?.is_met_by(&self.value?))
    }
}

/// All indicators for a year.
#[derive(Clone, Debug)]
pub struct Report {
    pub year: i32,
    pub inputs: Option<district_input::Model>,
    pub indicators: Vec<Indicator>,
}

fn year_bounds(year: i32) -> AppResult<(chrono::DateTime<Utc>, chrono::DateTime<Utc>)> {
    let start = NaiveDate::from_ymd_opt(year, 1, 1)
        .ok_or_else(|| AppError::bad_field("year", "not a year"))?;
    let end = NaiveDate::from_ymd_opt(year + 1, 1, 1)
        .ok_or_else(|| AppError::bad_field("year", "not a year"))?;
    Ok((local_midnight(start), local_midnight(end)))
}

pub fn check_year(year: i32) -> AppResult<()> {
    let this_year = Utc::now().with_timezone(&DISTRICT_TZ).year();
    if (2000..=this_year).contains(&year) {
        Ok(())
    } else {
        Err(AppError::bad_field(
            "year",
            format!("a year from 2000 to {this_year}"),
        ))
    }
}

/// `(town, value)` per town of `select`, grouping by `town`.
async fn per_town<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    select: Select<E>,
    town: SimpleExpr,
    value: SimpleExpr,
) -> AppResult<Vec<(Option<Uuid>, i64)>> {
    let rows: Vec<(Option<Uuid>, Option<i64>)> = select
        .select_only()
        .column_as(town.clone(), "town_id")
        .column_as(value, "v")
        .group_by(town)
        .into_tuple()
        .all(conn)
        .await?;
    let mut merged: BTreeMap<Option<Uuid>, i64> = BTreeMap::new();
    for (town, v) in rows {
        *merged.entry(town).or_default() += v.unwrap_or(0);
    }
    Ok(merged.into_iter().collect())
}

fn count_all() -> SimpleExpr {
    Expr::cust("COUNT(*)")
}

fn total(rows: &[(Option<Uuid>, i64)]) -> i64 {
    rows.iter().map(|(_, v)| v).sum()
}

fn towns(rows: &[(Option<Uuid>, i64)], figure: impl Fn(i64) -> Figure) -> Vec<TownFigure> {
    rows.iter()
        .map(|(town_id, v)| TownFigure {
            town_id: *town_id,
            figure: figure(*v),
        })
        .collect()
}

/// Confirmed donations in `[from, to)` matching `extra`, summed per donor town.
async fn donations_by_town(
    conn: &impl ConnectionTrait,
    (from, to): (chrono::DateTime<Utc>, chrono::DateTime<Utc>),
    extra: Condition,
) -> AppResult<Vec<(Option<Uuid>, i64)>> {
    per_town(
        conn,
        donation::Entity::find()
            .filter(donation::Column::Status.eq(DonationStatus::Confirmed))
            .filter(donation::Column::DonatedAt.gte(from))
            .filter(donation::Column::DonatedAt.lt(to))
            .filter(extra),
        Expr::col((donation::Entity, donation::Column::TownId)),
        sum_as_bigint((donation::Entity, donation::Column::AmountFen)),
    )
    .await
}

fn indicator(key: IndicatorKey, unit: IndicatorUnit, year: i32) -> Indicator {
    let target = target_for(key, year);
    Indicator {
        key,
        unit,
        value: None,
        target: target.map(|(t, _)| t),
        target_source: target.map(|(_, s)| s),
        note: None,
        by_town: Vec::new(),
    }
}

/// Every indicator of the plan for `year`, computed now.
///
/// Long on purpose: it is the plan's list of indicators, in the plan's order, one block per
/// indicator (its figures, its breakdown by town, its note). Split into functions, the list
/// would no longer read against the table in DESIGN.md it has to match.
#[tracing::instrument(skip(db))]
pub async fn compute(db: &Db, year: i32) -> AppResult<Report> {
    check_year(year)?;
    let conn = &db.conn;
    let this = year_bounds(year)?;
    let inputs = district_input::Entity::find()
        .filter(district_input::Column::Year.eq(year))
        .one(conn)
        .await?;
    let population = inputs.as_ref().map(|i| i.population);
    let mut out = Vec::new();

    // Donations, money and goods, and their growth.
    let donated = donations_by_town(conn, this, Condition::all()).await?;
    let donated_before = donations_by_town(conn, year_bounds(year - 1)?, Condition::all()).await?;
    let mut total_ind = indicator(IndicatorKey::DonationTotal, IndicatorUnit::Yuan, year);
    total_ind.value = Some(Figure::fen(total(&donated)));
    total_ind.by_town = towns(&donated, Figure::fen);
    total_ind.note = Some("善款与物资评估价值之和，仅计已确认的捐赠".into());
    out.push(total_ind);

    let mut growth = indicator(IndicatorKey::DonationGrowth, IndicatorUnit::Percent, year);
    growth.value = Figure::growth(total(&donated), total(&donated_before));
    if growth.value.is_none() {
        growth.note = Some(format!("{} 年没有捐赠记录，无法计算增长率", year - 1));
    }
    // Every town that gave in either year: a town that stopped giving shows -100%.
    let mut town_ids: Vec<Option<Uuid>> = donated
        .iter()
        .chain(donated_before.iter())
        .map(|(t, _)| *t)
        .collect();
    town_ids.sort();
    town_ids.dedup();
    let in_town = |rows: &[(Option<Uuid>, i64)], town: Option<Uuid>| {
        rows.iter().find(|(t, _)| *t == town).map_or(0, |(_, v)| *v)
    };
    growth.by_town = town_ids
        .into_iter()
        .filter_map(|town| {
            Figure::growth(in_town(&donated, town), in_town(&donated_before, town)).map(|figure| {
                TownFigure {
                    town_id: town,
                    figure,
                }
            })
        })
        .collect();
    out.push(growth);

    let online = donations_by_town(
        conn,
        this,
        Condition::all().add(donation::Column::Channel.eq(DonationChannel::Online)),
    )
    .await?;
    let mut internet = indicator(IndicatorKey::InternetDonations, IndicatorUnit::Yuan, year);
    internet.value = Some(Figure::fen(total(&online)));
    internet.by_town = towns(&online, Figure::fen);
    out.push(internet);

    // Volunteers, by the resident's town.
    let registered = per_town(
        conn,
        signup::Entity::find()
            .join(
                sea_orm::JoinType::InnerJoin,
                signup::Relation::Resident.def(),
            )
            .filter(signup::Column::SignedUpAt.lt(this.1)),
        Expr::col((resident::Entity, resident::Column::TownId)),
        Func::count_distinct(Expr::col((signup::Entity, signup::Column::ResidentId))).into(),
    )
    .await?;
    let mut reg = indicator(
        IndicatorKey::RegisteredVolunteers,
        IndicatorUnit::Count,
        year,
    );
    reg.value = Some(Figure::count(total(&registered)));
    reg.by_town = towns(&registered, Figure::count);
    reg.note = Some("截至年底至少报名过一次志愿活动的居民".into());
    out.push(reg);

    let certified_in_year = || {
        hour_certification::Entity::find()
            .join(
                sea_orm::JoinType::InnerJoin,
                hour_certification::Relation::Resident.def(),
            )
            .filter(hour_certification::Column::CertifiedAt.gte(this.0))
            .filter(hour_certification::Column::CertifiedAt.lt(this.1))
    };
    let active = per_town(
        conn,
        certified_in_year().filter(hour_certification::Column::Minutes.gt(0)),
        Expr::col((resident::Entity, resident::Column::TownId)),
        Func::count_distinct(Expr::col((
            hour_certification::Entity,
            hour_certification::Column::ResidentId,
        )))
        .into(),
    )
    .await?;
    let mut active_ind = indicator(IndicatorKey::ActiveVolunteers, IndicatorUnit::Count, year);
    active_ind.value = Some(Figure::count(total(&active)));
    active_ind.by_town = towns(&active, Figure::count);
    active_ind.note = Some("当年有经认证志愿服务时长的居民".into());
    out.push(active_ind);

    let mut rate = indicator(
        IndicatorKey::ActiveVolunteerRate,
        IndicatorUnit::Percent,
        year,
    );
    match population {
        Some(p) => rate.value = Figure::ratio(i128::from(total(&active)), i128::from(p)),
        None => rate.note = Some(missing_inputs(year)),
    }
    out.push(rate);

    let minutes = per_town(
        conn,
        certified_in_year(),
        Expr::col((resident::Entity, resident::Column::TownId)),
        sum_as_bigint((
            hour_certification::Entity,
            hour_certification::Column::Minutes,
        )),
    )
    .await?;
    let mut hours = indicator(IndicatorKey::VolunteerHours, IndicatorUnit::Hours, year);
    hours.value = Some(Figure::minutes(total(&minutes)));
    hours.by_town = towns(&minutes, Figure::minutes);
    out.push(hours);

    let times = per_town(
        conn,
        certified_in_year().filter(hour_certification::Column::Minutes.gt(0)),
        Expr::col((resident::Entity, resident::Column::TownId)),
        count_all(),
    )
    .await?;
    let mut times_ind = indicator(IndicatorKey::VolunteerTimes, IndicatorUnit::Count, year);
    times_ind.value = Some(Figure::count(total(&times)));
    times_ind.by_town = towns(&times, Figure::count);
    out.push(times_ind);

    // Organisations and partners: the data has no recognition or joining date, so these are
    // today's figures whatever the year.
    let orgs = per_town(
        conn,
        charity_org::Entity::find().filter(charity_org::Column::Recognised.eq(true)),
        Expr::col((charity_org::Entity, charity_org::Column::TownId)),
        count_all(),
    )
    .await?;
    let mut orgs_ind = indicator(IndicatorKey::RecognisedOrgs, IndicatorUnit::Count, year);
    orgs_ind.value = Some(Figure::count(total(&orgs)));
    orgs_ind.by_town = towns(&orgs, Figure::count);
    orgs_ind.note = Some("按当前登记计；未归属街道（乡镇）的为区级组织".into());
    out.push(orgs_ind);

    let honoured = per_town(
        conn,
        perk_voucher::Entity::find()
            .join(
                sea_orm::JoinType::InnerJoin,
                perk_voucher::Relation::Resident.def(),
            )
            .filter(perk_voucher::Column::Status.eq(VoucherStatus::Honoured))
            .filter(perk_voucher::Column::HonouredAt.gte(this.0))
            .filter(perk_voucher::Column::HonouredAt.lt(this.1)),
        Expr::col((resident::Entity, resident::Column::TownId)),
        count_all(),
    )
    .await?;
    let mut perks = indicator(IndicatorKey::PerkBeneficiaries, IndicatorUnit::Count, year);
    perks.value = Some(Figure::count(total(&honoured)));
    perks.by_town = towns(&honoured, Figure::count);
    perks.note = Some("当年已核销的礼遇券".into());
    out.push(perks);

    let partners = per_town(
        conn,
        perk_partner::Entity::find(),
        Expr::col((perk_partner::Entity, perk_partner::Column::TownId)),
        count_all(),
    )
    .await?;
    let mut alliance = indicator(IndicatorKey::AllianceMembers, IndicatorUnit::Count, year);
    alliance.value = Some(Figure::count(total(&partners)));
    alliance.by_town = towns(&partners, Figure::count);
    alliance.note = Some("按当前登记计".into());
    out.push(alliance);

    // Per-capita figures need the bureau's inputs.
    let mut ratio = indicator(
        IndicatorKey::PerCapitaDonationRatio,
        IndicatorUnit::Percent,
        year,
    );
    match &inputs {
        Some(i) => {
            ratio.value = Figure::ratio(
                i128::from(total(&donated)),
                i128::from(i.population) * i128::from(i.per_capita_income_fen),
            );
            ratio.note = Some(format!(
                "人均捐赠 {} 元，人均可支配收入 {} 元",
                Figure::new(
                    IndicatorUnit::Yuan,
                    i128::from(total(&donated)),
                    i128::from(i.population)
                )
                .map(|f| f.display())
                .unwrap_or_default(),
                Fen::new(i.per_capita_income_fen)
            ));
        }
        None => ratio.note = Some(missing_inputs(year)),
    }
    out.push(ratio);

    let one_day_campaign = campaign::Entity::find()
        .filter(campaign::Column::Code.eq(ONE_DAY_CAMPAIGN))
        .one(conn)
        .await?;
    let mut one_day_cond =
        Condition::any().add(donation::Column::Channel.eq(DonationChannel::OneDayDonation));
    if let Some(c) = &one_day_campaign {
        one_day_cond = one_day_cond.add(donation::Column::CampaignId.eq(c.id));
    }
    let one_day = donations_by_town(conn, this, one_day_cond).await?;
    let mut per_capita = indicator(
        IndicatorKey::OneDayDonationPerCapita,
        IndicatorUnit::Yuan,
        year,
    );
    match population {
        Some(p) => {
            per_capita.value = Figure::new(
                IndicatorUnit::Yuan,
                i128::from(total(&one_day)),
                i128::from(p),
            );
            per_capita.note = Some(format!(
                "慈善一日捐（活动或渠道）共募集 {} 元",
                Fen::new(total(&one_day))
            ));
        }
        None => per_capita.note = Some(missing_inputs(year)),
    }
    out.push(per_capita);

    Ok(Report {
        year,
        inputs,
        indicators: out,
    })
}

fn missing_inputs(year: i32) -> String {
    format!(
        "{year} 年的常住人口和人均可支配收入尚未录入（由区民政局在指标页录入，即 setDistrictInputs）"
    )
}

/// Set (or replace) the bureau's figures for a year. ADMIN only.
#[tracing::instrument(skip(db, viewer))]
pub async fn set_inputs(
    db: &Db,
    viewer: &Viewer,
    year: i32,
    population: i64,
    per_capita_income: Fen,
) -> AppResult<district_input::Model> {
    if !viewer.is_admin() {
        return Err(AppError::forbidden(
            "only the civil-affairs bureau sets district inputs",
        ));
    }
    check_year(year)?;
    if !(1..=100_000_000).contains(&population) {
        return Err(AppError::bad_field(
            "population",
            "population is from 1 to 100000000",
        ));
    }
    if per_capita_income <= Fen::ZERO || per_capita_income > crate::money::MAX_SINGLE_AMOUNT {
        return Err(AppError::bad_field(
            "perCapitaIncome",
            "per-capita income must be above 0",
        ));
    }
    let now = Utc::now();
    let txn = db.begin_write().await?;
    district_input::Entity::insert(district_input::ActiveModel {
        id: sea_orm::ActiveValue::Set(Uuid::now_v7()),
        year: sea_orm::ActiveValue::Set(year),
        population: sea_orm::ActiveValue::Set(population),
        per_capita_income_fen: sea_orm::ActiveValue::Set(per_capita_income.get()),
        set_by: sea_orm::ActiveValue::Set(viewer.account_id),
        created_at: sea_orm::ActiveValue::Set(now),
        updated_at: sea_orm::ActiveValue::Set(now),
    })
    .on_conflict(
        OnConflict::column(district_input::Column::Year)
            .update_columns([
                district_input::Column::Population,
                district_input::Column::PerCapitaIncomeFen,
                district_input::Column::SetBy,
                district_input::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(&*txn)
    .await?;
    txn.commit().await?;
    district_input::Entity::find()
        .filter(district_input::Column::Year.eq(year))
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::not_found("district inputs"))
}
