//! Loads the readable CSV files under `seeds/`.

use std::{collections::HashMap, path::Path};

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, PaginatorTrait};
use serde::Deserialize;
use uuid::Uuid;

use super::files::{blank, date, parse_enum, read};
use crate::{
    accounts::{Phone, service as accounts},
    auth::Viewer,
    db::Db,
    district_time::local_midnight,
    donations::import,
    entities::{
        account, campaign, charity_org, charity_project, credit_rule, credit_tier, donor,
        enterprise,
        enums::{self, DonorKind, Role},
        perk, perk_partner, ranking_rule, resident, reward, tier_benefit, town,
    },
    error::{AppError, AppResult},
    money::Fen,
};

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
    // Volunteering after donations: both feed the 百家信 score, neither needs the other.
    let (activities, signups, certified) = super::activities::seed(db, dir, admin).await?;
    let (disbursed, posts) = seed_transparency(db, &viewer, &ids).await?;
    Ok(format!(
        "seeded {} towns, {} orgs, {} residents, {} enterprises, {} accounts, {} donations, \
         {activities} activities, {signups} sign-ups, {certified} certified, \
         {disbursed} disbursements, {posts} broadcasts",
        ids.towns.len(),
        ids.orgs.len(),
        ids.residents.len(),
        ids.enterprises.len(),
        ids.accounts,
        report.imported
    ))
}

/// Long because it is a script of the demo's story, step after step, each step using what
/// the one before wrote.
///
/// A few disbursements (allocated oldest first, as staff would record them), broadcasts in
/// each state, and a public question with its answer, so the demo's 阳光慈善 pages have data.
async fn seed_transparency(db: &Db, admin: &Viewer, ids: &SeedIds) -> AppResult<(usize, usize)> {
    use crate::{
        broadcast::{NewBroadcast, service as broadcasts},
        entities::enums::{BroadcastKind, DonationKind, SupervisionSubjectKind},
        idempotency::IdempotencyKey,
        transparency::{Allocation, NewDisbursement, disbursements, supervision},
    };
    use sea_orm::{ColumnTrait, QueryFilter};

    let project = |name: &'static str| async move {
        charity_project::Entity::find()
            .filter(charity_project::Column::Name.eq(name))
            .one(&db.conn)
            .await?
            .ok_or_else(|| AppError::bad_input(format!("unknown project {name}")))
    };
    /// (project, kind, yuan, goods and their quantity, purpose, date, beneficiaries, document)
    type Planned = (
        &'static str,
        DonationKind,
        &'static str,
        Option<(&'static str, i32)>,
        &'static str,
        &'static str,
        i32,
        &'static str,
    );
    let plan: [Planned; 7] = [
        (
            "兰小草银龄助养",
            DonationKind::Money,
            "12000.00",
            None,
            "银龄助餐 第12批",
            "2026-03-31",
            40,
            "LXC-ZC-2026-012",
        ),
        (
            "兰小草银龄助养",
            DonationKind::Money,
            "8600.00",
            None,
            "重阳节慰问金",
            "2026-10-29",
            86,
            "LXC-ZC-2026-031",
        ),
        (
            "兰小草银龄助养",
            DonationKind::Goods,
            "1500.00",
            Some(("慰问品（大米、食用油）", 60)),
            "春节慰问品发放",
            "2026-02-10",
            60,
            "LXC-WZ-2026-002",
        ),
        (
            "海岛学子助学",
            DonationKind::Money,
            "60000.00",
            None,
            "2026学年助学金",
            "2026-09-10",
            30,
            "CSZH-ZX-2026-09",
        ),
        (
            "大病医疗救助",
            DonationKind::Money,
            "35000.00",
            None,
            "大病医疗救助 第3批",
            "2026-06-15",
            14,
            "CSZH-YL-2026-03",
        ),
        (
            "应急救灾",
            DonationKind::Money,
            "15000.00",
            None,
            "台风救灾物资采购",
            "2026-08-02",
            120,
            "HSH-JZ-2026-05",
        ),
        (
            "鹿西渔村共富帮扶",
            DonationKind::Money,
            "18000.00",
            None,
            "渔民困难家庭帮扶金",
            "2026-07-01",
            24,
            "LXFH-BF-2026-01",
        ),
    ];
    for (i, (name, kind, yuan, goods, purpose, day, beneficiaries, document)) in
        plan.into_iter().enumerate()
    {
        let key = IdempotencyKey::parse(&format!("seed-disbursement-{i:02}"))?;
        let input = NewDisbursement {
            project_id: project(name).await?.id,
            kind,
            amount: Fen::parse_amount(yuan).map_err(|e| AppError::bad_input(e.to_string()))?,
            goods_description: goods.map(|(d, _)| d.to_owned()),
            goods_quantity: goods.map(|(_, q)| q),
            purpose: purpose.to_owned(),
            disbursed_on: date(day)?,
            beneficiaries,
            document_ref: Some(document.to_owned()),
            allocation: Allocation::OldestFirst,
        };
        disbursements::record(db, admin, &key, input).await?;
    }

    let org = |name: &str| ids.org(name);
    let town = |code: &str| ids.town(code);
    enum Moderation {
        Pending,
        Published,
        Hidden(&'static str),
    }
    /// (org, kind, title, body, town code, moderation)
    type Post = (
        &'static str,
        BroadcastKind,
        &'static str,
        &'static str,
        &'static str,
        Moderation,
    );
    let posts: [Post; 5] = [
        (
            "鹿西乡慈善分会",
            BroadcastKind::Need,
            "鹿西乡独居老人急需冬衣",
            "入冬前，鹿西乡口筐、昌鱼礁等村共有 23 位独居老人缺少厚冬衣和棉被，欢迎捐赠八成新以上的冬衣，可送至乡慈善分会。",
            "LUXI",
            Moderation::Published,
        ),
        (
            "洞头区慈善总会",
            BroadcastKind::Offer,
            "慈善超市新到米油可积分兑换",
            "慈善超市新到东北大米和花生油一批，持慈善共富积分的居民可到北岙街道慈善超市兑换，每人限兑 2 件。",
            "BEIAO",
            Moderation::Published,
        ),
        (
            "兰小草爱心公益服务基地",
            BroadcastKind::Story,
            "银龄助餐第 12 批送到老人家中",
            "3 月底，兰小草志愿者把第 12 批助餐券送到 40 位高龄老人家中，这批款项来自 2025 年以来的爱心捐赠，明细可在阳光慈善查看。",
            "",
            Moderation::Published,
        ),
        (
            "洞头区海霞妈妈公益服务中心",
            BroadcastKind::ActivityPlan,
            "十二月海滩清洁活动计划",
            "12 月中旬计划在大沙岙开展海滩清洁，招募志愿者 30 名，具体时间以活动报名页面为准。",
            "DONGPING",
            Moderation::Pending,
        ),
        (
            "洞头区慈善总会",
            BroadcastKind::Need,
            "征集助学结对爱心人士",
            "（示例：已隐藏的帖子）",
            "",
            Moderation::Hidden("内容不完整，请补充后重新提交"),
        ),
    ];
    let count = posts.len();
    for (org_name, kind, title, body, town_code, moderation) in posts {
        let post = broadcasts::post(
            db,
            admin,
            NewBroadcast {
                org_id: org(org_name)?,
                kind,
                title: title.to_owned(),
                body: body.to_owned(),
                town_id: town(town_code)?,
                activity_id: None,
                project_id: None,
            },
        )
        .await?;
        match moderation {
            Moderation::Pending => {}
            Moderation::Published => {
                broadcasts::mark_published(db, admin, post.id).await?;
            }
            Moderation::Hidden(reason) => {
                broadcasts::hide(db, admin, post.id, reason).await?;
            }
        }
    }

    // A resident's question on a project, answered by the org's staff.
    let resident = account::Entity::find()
        .filter(account::Column::Role.eq(Role::Resident))
        .one(&db.conn)
        .await?;
    let staff = account::Entity::find()
        .filter(account::Column::Role.eq(Role::OrgStaff))
        .filter(account::Column::OrgId.eq(org("兰小草爱心公益服务基地")?))
        .one(&db.conn)
        .await?;
    if let (Some(resident), Some(staff)) = (resident, staff) {
        let as_viewer = |a: &account::Model| Viewer {
            account_id: a.id,
            role: a.role,
            org_id: a.org_id,
            partner_id: a.partner_id,
            donor_id: a.donor_id,
        };
        let item = supervision::ask(
            db,
            &as_viewer(&resident),
            SupervisionSubjectKind::Project,
            project("兰小草银龄助养").await?.id,
            "银龄助餐每批覆盖多少位老人？如何确定名单？",
        )
        .await?;
        supervision::answer(
            db,
            &as_viewer(&staff),
            item.id,
            "每批约 40 位，名单由各村（社区）按 80 周岁以上独居、空巢和困难老人推荐，经基地走访核实后确定，受助人信息不公开。",
        )
        .await?;
    }
    Ok((7, count))
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

/// The reference tables from `seeds/`, in the order their foreign keys need: towns, orgs,
/// projects, campaigns, credit and ranking rules, tiers, partners, residents, enterprises,
/// accounts, rewards, perks.
///
/// Long because it is one file after another in that order; each block reads one CSV file
/// and writes its rows, and the ids it returns link the later ones.
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
            parent_id: Set(None),
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
            goal_fen: Set(None),
            starts_on: Set(None),
            ends_on: Set(None),
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
            org_id: Set(None),
            goal_fen: Set(None),
            status: Set(enums::ProjectStatus::Active),
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
            // The demo people are on record as having agreed at a desk before onboarding
            // existed; only registrations record a version.
            privacy_policy_version: Set(None),
            privacy_policy_agreed_at: Set(None),
            registered_by: Set(None),
            erased_at: Set(None),
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
                password: Some(row.password),
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
