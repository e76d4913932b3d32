//! Loads the readable CSV files under `seeds/`.

use std::{collections::HashMap, path::Path};

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, PaginatorTrait};
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    accounts::{Phone, service as accounts},
    auth::Viewer,
    credits::rules::local_midnight,
    db::Db,
    donations::import,
    entities::{
        campaign, charity_org, charity_project, credit_rule, credit_tier, donor, enterprise,
        enums::{self, DonorKind, Role},
        perk, perk_partner, ranking_rule, resident, reward, tier_benefit, town,
    },
    error::{AppError, AppResult},
    money::Fen,
};

fn read<T: for<'de> Deserialize<'de>>(dir: &Path, file: &str) -> AppResult<Vec<T>> {
    let path = dir.join(file);
    let mut reader = csv::Reader::from_path(&path)
        .map_err(|e| AppError::bad_input(format!("{}: {e}", path.display())))?;
    reader
        .deserialize()
        .enumerate()
        .map(|(i, row)| {
            row.map_err(|e| AppError::bad_input(format!("{} row {}: {e}", path.display(), i + 1)))
        })
        .collect()
}

fn parse_enum<T: sea_orm::ActiveEnum<Value = String>>(value: &str) -> AppResult<T> {
    T::try_from_value(&value.to_owned())
        .map_err(|_| AppError::bad_input(format!("unknown value {value}")))
}

fn blank(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

fn date(text: &str) -> AppResult<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::bad_input(format!("not a date: {text}")))
}

/// Seed only an empty database (the embedded default's first start).
pub async fn seed_if_empty(db: &Db, dir: &Path) -> AppResult<()> {
    if town::Entity::find().count(&db.conn).await? == 0 {
        let report = seed_demo(db, dir).await?;
        tracing::info!(%report, "seeded demo data");
    }
    Ok(())
}

/// Everything but the donations: places, orgs, rules, tiers, people, accounts, rewards, perks.
/// Tests start from this and add what their scenario needs.
pub async fn seed_reference(db: &Db, dir: &Path) -> AppResult<()> {
    let txn = db.begin_write().await?;
    seed_reference_data(&*txn, dir).await?;
    txn.commit().await?;
    Ok(())
}

/// Load every demo file. Refuses to run twice on the same database.
#[tracing::instrument(skip(db))]
pub async fn seed_demo(db: &Db, dir: &Path) -> AppResult<String> {
    if town::Entity::find().count(&db.conn).await? > 0 {
        return Ok("the database already holds data; nothing seeded".into());
    }
    let txn = db.begin_write().await?;
    let ids = seed_reference_data(&*txn, dir).await?;
    txn.commit().await?;

    // Donations go through the bulk import, exactly as a charity group's file would.
    let admin = ids
        .admin
        .ok_or_else(|| AppError::bad_input("accounts.csv has no ADMIN"))?;
    let bytes = std::fs::read(dir.join("donations.csv"))
        .map_err(|e| AppError::bad_input(format!("donations.csv: {e}")))?;
    let viewer = Viewer {
        account_id: admin,
        role: Role::Admin,
        org_id: None,
        partner_id: None,
        donor_id: None,
    };
    let (report, _) = import::import_rows(db, &viewer, &bytes).await?;
    if !report.is_ok() {
        return Err(AppError::bad_input(format!(
            "donations.csv: {:?}",
            &report.errors[..report.errors.len().min(5)]
        )));
    }
    Ok(format!(
        "seeded {} towns, {} orgs, {} residents, {} enterprises, {} accounts, {} donations",
        ids.towns.len(),
        ids.orgs.len(),
        ids.residents.len(),
        ids.enterprises.len(),
        ids.accounts,
        report.imported
    ))
}

#[derive(Default)]
struct SeedIds {
    towns: HashMap<String, Uuid>,
    orgs: HashMap<String, Uuid>,
    partners: HashMap<String, Uuid>,
    residents: HashMap<String, Uuid>,
    enterprises: HashMap<String, Uuid>,
    accounts: usize,
    admin: Option<Uuid>,
}

impl SeedIds {
    fn town(&self, code: &str) -> AppResult<Option<Uuid>> {
        match blank(code) {
            None => Ok(None),
            Some(code) => self
                .towns
                .get(&code)
                .copied()
                .map(Some)
                .ok_or_else(|| AppError::bad_input(format!("unknown town {code}"))),
        }
    }
    fn org(&self, name: &str) -> AppResult<Uuid> {
        self.orgs
            .get(name)
            .copied()
            .ok_or_else(|| AppError::bad_input(format!("unknown org {name}")))
    }
    fn partner(&self, name: &str) -> AppResult<Uuid> {
        self.partners
            .get(name)
            .copied()
            .ok_or_else(|| AppError::bad_input(format!("unknown partner {name}")))
    }
}

#[derive(Deserialize)]
struct TownRow {
    code: String,
    name: String,
    sort_order: i32,
}
#[derive(Deserialize)]
struct OrgRow {
    name: String,
    kind: String,
    town_code: String,
    recognised: bool,
    runs_supermarket: bool,
    description: String,
}
#[derive(Deserialize)]
struct ProjectRow {
    org: String,
    name: String,
    description: String,
    town_code: String,
}
#[derive(Deserialize)]
struct CampaignRow {
    code: String,
    name: String,
    starts_on: String,
    ends_on: String,
    description: String,
}
#[derive(Deserialize)]
struct RuleRow {
    kind: String,
    credits: i64,
    per_units: i64,
    effective_from: String,
}
#[derive(Deserialize)]
struct RankingRuleRow {
    effective_from: String,
    exclude_government_matching: bool,
    exclude_charity_transfers: bool,
    roll_up_branches: bool,
    min_amount_yuan: String,
}
#[derive(Deserialize)]
struct TierRow {
    donor_kind: String,
    level: i32,
    name: String,
    threshold_yuan: String,
    benefits: String,
}
#[derive(Deserialize)]
struct PartnerRow {
    name: String,
    kind: String,
    town_code: String,
}
#[derive(Deserialize)]
struct ResidentRow {
    name: String,
    phone: String,
    town_code: String,
    id_number: String,
    name_consent: bool,
    name_style: String,
}
#[derive(Deserialize)]
struct EnterpriseRow {
    name: String,
    kind: String,
    credit_code: String,
    town_code: String,
    parent: String,
}
#[derive(Deserialize)]
struct AccountRow {
    phone: String,
    password: String,
    role: String,
    org: String,
    partner: String,
    donor_phone: String,
    donor_enterprise: String,
    display_name: String,
}
#[derive(Deserialize)]
struct RewardRow {
    org: String,
    name: String,
    description: String,
    credit_price: i64,
    stock: i64,
    per_person_limit: i32,
}
#[derive(Deserialize)]
struct PerkRow {
    partner: String,
    title: String,
    description: String,
    min_baijiaxin_level: Option<i32>,
    min_tier_level: Option<i32>,
    monthly_quota: i32,
    voucher_valid_minutes: i32,
}

async fn seed_reference_data(conn: &impl ConnectionTrait, dir: &Path) -> AppResult<SeedIds> {
    let now = Utc::now();
    let mut ids = SeedIds::default();

    for row in read::<TownRow>(dir, "towns.csv")? {
        let id = Uuid::now_v7();
        town::ActiveModel {
            id: Set(id),
            code: Set(row.code.clone()),
            name: Set(row.name),
            sort_order: Set(row.sort_order),
        }
        .insert(conn)
        .await?;
        ids.towns.insert(row.code, id);
    }

    for row in read::<OrgRow>(dir, "charity_orgs.csv")? {
        let id = Uuid::now_v7();
        charity_org::ActiveModel {
            id: Set(id),
            name: Set(row.name.clone()),
            kind: Set(parse_enum(&row.kind)?),
            town_id: Set(ids.town(&row.town_code)?),
            recognised: Set(row.recognised),
            runs_supermarket: Set(row.runs_supermarket),
            description: Set(row.description),
            created_at: Set(now),
        }
        .insert(conn)
        .await?;
        ids.orgs.insert(row.name, id);
    }

    for row in read::<ProjectRow>(dir, "charity_projects.csv")? {
        charity_project::ActiveModel {
            id: Set(Uuid::now_v7()),
            org_id: Set(ids.org(&row.org)?),
            name: Set(row.name),
            description: Set(row.description),
            town_id: Set(ids.town(&row.town_code)?),
            status: Set(enums::ProjectStatus::Active),
            created_at: Set(now),
        }
        .insert(conn)
        .await?;
    }

    for row in read::<CampaignRow>(dir, "campaigns.csv")? {
        campaign::ActiveModel {
            id: Set(Uuid::now_v7()),
            code: Set(row.code),
            name: Set(row.name),
            description: Set(row.description),
            starts_on: Set(date(&row.starts_on)?),
            ends_on: Set(date(&row.ends_on)?),
            created_at: Set(now),
        }
        .insert(conn)
        .await?;
    }

    for row in read::<RuleRow>(dir, "credit_rules.csv")? {
        credit_rule::ActiveModel {
            id: Set(Uuid::now_v7()),
            kind: Set(parse_enum(&row.kind)?),
            credits: Set(row.credits),
            per_units: Set(row.per_units),
            effective_from: Set(local_midnight(date(&row.effective_from)?)),
            created_by: Set(None),
            created_at: Set(now),
        }
        .insert(conn)
        .await?;
    }

    for row in read::<RankingRuleRow>(dir, "ranking_rules.csv")? {
        let min = Fen::parse_yuan(&row.min_amount_yuan)
            .map_err(|e| AppError::bad_input(format!("ranking rule: {e}")))?;
        ranking_rule::ActiveModel {
            id: Set(Uuid::now_v7()),
            effective_from: Set(local_midnight(date(&row.effective_from)?)),
            exclude_government_matching: Set(row.exclude_government_matching),
            exclude_charity_transfers: Set(row.exclude_charity_transfers),
            roll_up_branches: Set(row.roll_up_branches),
            min_amount_fen: Set(min.get()),
            created_by: Set(None),
            created_at: Set(now),
        }
        .insert(conn)
        .await?;
    }

    for row in read::<TierRow>(dir, "credit_tiers.csv")? {
        let tier_id = Uuid::now_v7();
        let threshold = Fen::parse_yuan(&row.threshold_yuan)
            .map_err(|e| AppError::bad_input(format!("tier {}: {e}", row.name)))?;
        credit_tier::ActiveModel {
            id: Set(tier_id),
            donor_kind: Set(parse_enum(&row.donor_kind)?),
            level: Set(row.level),
            name: Set(row.name),
            threshold_fen: Set(threshold.get()),
            created_at: Set(now),
        }
        .insert(conn)
        .await?;
        for benefit in row.benefits.split('|').filter(|b| !b.trim().is_empty()) {
            let (category, description) = benefit.split_once(':').ok_or_else(|| {
                AppError::bad_input(format!("benefit without category: {benefit}"))
            })?;
            tier_benefit::ActiveModel {
                id: Set(Uuid::now_v7()),
                tier_id: Set(tier_id),
                category: Set(parse_enum(category)?),
                description: Set(description.to_owned()),
            }
            .insert(conn)
            .await?;
        }
    }

    for row in read::<PartnerRow>(dir, "perk_partners.csv")? {
        let id = Uuid::now_v7();
        perk_partner::ActiveModel {
            id: Set(id),
            name: Set(row.name.clone()),
            kind: Set(parse_enum(&row.kind)?),
            town_id: Set(ids.town(&row.town_code)?),
            created_at: Set(now),
        }
        .insert(conn)
        .await?;
        ids.partners.insert(row.name, id);
    }

    for row in read::<ResidentRow>(dir, "residents.csv")? {
        let phone = Phone::parse(&row.phone)
            .map_err(|e| AppError::bad_input(format!("resident {}: {e}", row.name)))?;
        let town_id = ids.town(&row.town_code)?;
        let id = Uuid::now_v7();
        insert_donor(conn, id, DonorKind::Resident, &row.name, town_id).await?;
        resident::ActiveModel {
            id: Set(id),
            name: Set(row.name),
            phone: Set(phone.as_str().to_owned()),
            id_number: Set(blank(&row.id_number)),
            town_id: Set(town_id),
            name_consent: Set(row.name_consent),
            name_style: Set(parse_enum(&row.name_style)?),
            consent_given_at: Set(row.name_consent.then_some(now)),
            consent_withdrawn_at: Set(None),
            created_at: Set(now),
        }
        .insert(conn)
        .await?;
        ids.residents.insert(phone.as_str().to_owned(), id);
    }

    for row in read::<EnterpriseRow>(dir, "enterprises.csv")? {
        let town_id = ids.town(&row.town_code)?;
        let parent_id = match blank(&row.parent) {
            Some(p) => Some(
                *ids.enterprises
                    .get(&p)
                    .ok_or_else(|| AppError::bad_input(format!("unknown parent {p}")))?,
            ),
            None => None,
        };
        let id = Uuid::now_v7();
        insert_donor(conn, id, DonorKind::Enterprise, &row.name, town_id).await?;
        enterprise::ActiveModel {
            id: Set(id),
            name: Set(row.name.clone()),
            kind: Set(parse_enum(&row.kind)?),
            credit_code: Set(blank(&row.credit_code)),
            parent_id: Set(parent_id),
            town_id: Set(town_id),
            created_at: Set(now),
        }
        .insert(conn)
        .await?;
        ids.enterprises.insert(row.name, id);
    }

    for row in read::<AccountRow>(dir, "accounts.csv")? {
        let role: Role = parse_enum(&row.role)?;
        let donor_id = match (blank(&row.donor_phone), blank(&row.donor_enterprise)) {
            (Some(phone), _) => ids.residents.get(&phone).copied(),
            (None, Some(name)) => ids.enterprises.get(&name).copied(),
            (None, None) => None,
        };
        let account = accounts::create(
            conn,
            accounts::NewAccount {
                phone: Phone::parse(&row.phone)
                    .map_err(|e| AppError::bad_input(format!("account {}: {e}", row.phone)))?,
                password: row.password,
                role,
                display_name: row.display_name,
                org_id: blank(&row.org).map(|o| ids.org(&o)).transpose()?,
                partner_id: blank(&row.partner).map(|p| ids.partner(&p)).transpose()?,
                donor_id,
            },
        )
        .await?;
        if role == Role::Admin && ids.admin.is_none() {
            ids.admin = Some(account.id);
        }
        ids.accounts += 1;
    }

    for row in read::<RewardRow>(dir, "rewards.csv")? {
        reward::ActiveModel {
            id: Set(Uuid::now_v7()),
            org_id: Set(ids.org(&row.org)?),
            name: Set(row.name),
            description: Set(row.description),
            credit_price: Set(row.credit_price),
            stock: Set(row.stock),
            per_person_limit: Set(row.per_person_limit),
            valid_from: Set(None),
            valid_until: Set(None),
            active: Set(true),
            created_at: Set(now),
        }
        .insert(conn)
        .await?;
    }

    for row in read::<PerkRow>(dir, "perks.csv")? {
        perk::ActiveModel {
            id: Set(Uuid::now_v7()),
            partner_id: Set(ids.partner(&row.partner)?),
            title: Set(row.title),
            description: Set(row.description),
            min_baijiaxin_level: Set(row.min_baijiaxin_level),
            min_tier_level: Set(row.min_tier_level),
            monthly_quota: Set(row.monthly_quota),
            voucher_valid_minutes: Set(row.voucher_valid_minutes),
            valid_from: Set(None),
            valid_until: Set(None),
            active: Set(true),
            created_at: Set(now),
        }
        .insert(conn)
        .await?;
    }
    Ok(ids)
}

async fn insert_donor(
    conn: &impl ConnectionTrait,
    id: Uuid,
    kind: DonorKind,
    name: &str,
    town_id: Option<Uuid>,
) -> AppResult<()> {
    donor::ActiveModel {
        id: Set(id),
        kind: Set(kind),
        display_name: Set(name.to_owned()),
        town_id: Set(town_id),
        credit_balance: Set(0),
        cumulative_donation_fen: Set(0),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    Ok(())
}
