//! Bulk import of donations from the CSV a charity group exports from Excel: UTF-8 (with or
//! without BOM) or GB18030/GBK, Chinese or English headers, all rows or none.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDateTime, TimeZone, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use super::{
    DonorRef, NewDonation, ReceiptNo,
    bulk::{self, Bulk},
    rules,
};
use crate::{
    accounts::Phone,
    auth::Viewer,
    db::Db,
    district_time::DISTRICT_TZ,
    entities::{
        campaign, charity_org, charity_project, donation, donor, enterprise,
        enums::{DonationChannel, DonationKind, FundingSource, Visibility},
        resident,
    },
    error::{AppError, AppResult},
    money::Fen,
    rankings::Boards,
    text::{self, TextKind},
};

pub const MAX_ROWS: usize = 50_000;

/// One problem with one cell (or row) of the file. Rows count from 1 = the first data row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub reason: String,
}

impl RowError {
    /// A donation rule's refusal, as the row and column it concerns.
    fn refused(row: usize, refusal: &AppError) -> Self {
        Self {
            row,
            column: refusal.field().unwrap_or_default().to_owned(),
            reason: refusal.message(),
        }
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportReport {
    pub rows: usize,
    pub imported: usize,
    /// Rows already imported before with identical content (re-import is a no-op).
    pub skipped: usize,
    pub errors: Vec<RowError>,
}

impl ImportReport {
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// The columns, by English and Chinese header.
const COLUMNS: &[(&str, &[&str])] = &[
    ("receipt_no", &["收据编号", "收据号", "票据编号"]),
    ("org", &["接收机构", "慈善组织", "受赠机构"]),
    ("donor_type", &["捐赠人类型", "捐赠方类型"]),
    ("donor_phone", &["捐赠人手机", "手机号", "手机号码"]),
    ("donor_enterprise", &["捐赠单位", "企业名称"]),
    ("walk_in_name", &["捐赠人姓名", "姓名"]),
    ("kind", &["捐赠类型", "款物类型"]),
    (
        "amount_yuan",
        &["金额", "金额(元)", "金额（元）", "价值(元)"],
    ),
    ("goods_description", &["物资描述", "物资名称"]),
    ("goods_quantity", &["物资数量", "数量"]),
    ("project", &["慈善项目", "项目"]),
    ("campaign", &["募捐活动", "活动"]),
    ("channel", &["渠道", "捐赠渠道"]),
    ("funding_source", &["资金来源"]),
    ("donated_at", &["捐赠时间", "日期"]),
    ("visibility", &["公开方式", "展示方式"]),
];

const REQUIRED: &[&str] = &[
    "receipt_no",
    "org",
    "donor_type",
    "kind",
    "amount_yuan",
    "project",
    "donated_at",
];

/// Text from Excel's usual encodings: UTF-8 (BOM or not), else GB18030 (a superset of GBK).
pub fn decode(bytes: &[u8]) -> AppResult<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors {
        return Err(AppError::bad_field(
            "file",
            "the file is neither UTF-8 nor GBK/GB18030 text",
        ));
    }
    Ok(text.into_owned())
}

fn canonical_column(header: &str) -> Option<&'static str> {
    let h = header.trim().trim_start_matches('\u{feff}');
    COLUMNS
        .iter()
        .find(|(en, zh)| en.eq_ignore_ascii_case(h) || zh.contains(&h))
        .map(|(en, _)| *en)
}

fn parse_enum<T>(value: &str, table: &[(&[&str], T)]) -> Option<T>
where
    T: Copy,
{
    let v = value.trim();
    table
        .iter()
        .find(|(names, _)| names.iter().any(|n| n.eq_ignore_ascii_case(v)))
        .map(|(_, t)| *t)
}

/// A row read from the file, before lookups.
#[derive(Debug)]
struct RawRow {
    line: usize,
    cells: HashMap<&'static str, String>,
}

impl RawRow {
    fn get(&self, column: &str) -> Option<&str> {
        self.cells
            .get(column)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }
}

fn read_rows(text: &str) -> AppResult<Vec<RawRow>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| AppError::bad_field("file", format!("unreadable header row: {e}")))?
        .clone();
    let columns: Vec<Option<&'static str>> = headers.iter().map(canonical_column).collect();
    let missing: Vec<&str> = REQUIRED
        .iter()
        .filter(|r| !columns.contains(&Some(**r)))
        .copied()
        .collect();
    if !missing.is_empty() {
        return Err(AppError::bad_field(
            "file",
            format!("missing columns: {}", missing.join(", ")),
        ));
    }
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record =
            record.map_err(|e| AppError::bad_field("file", format!("row {}: {e}", index + 1)))?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(AppError::bad_field(
                "file",
                format!("a file may hold at most {MAX_ROWS} rows"),
            ));
        }
        let cells = columns
            .iter()
            .zip(record.iter())
            .filter_map(|(col, cell)| col.map(|c| (c, cell.to_owned())))
            .collect();
        rows.push(RawRow {
            line: index + 1,
            cells,
        });
    }
    Ok(rows)
}

/// Everything a row may refer to, loaded once per import.
struct Lookups {
    orgs: HashMap<String, Uuid>,
    projects: HashMap<(Uuid, String), Uuid>,
    campaigns: HashMap<String, Uuid>,
    enterprises: HashMap<String, Uuid>,
}

async fn load_lookups(conn: &impl ConnectionTrait, rows: &[RawRow]) -> AppResult<Lookups> {
    let orgs = charity_org::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|o| (o.name, o.id))
        .collect();
    let projects = charity_project::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|p| ((p.org_id, p.name), p.id))
        .collect();
    let campaigns = campaign::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .flat_map(|c| [(c.code.clone(), c.id), (c.name, c.id)])
        .collect();
    let wanted: HashSet<&str> = rows
        .iter()
        .filter_map(|r| r.get("donor_enterprise"))
        .collect();
    let mut enterprises = HashMap::new();
    let wanted: Vec<&str> = wanted.into_iter().collect();
    for chunk in wanted.chunks(500) {
        for e in enterprise::Entity::find()
            .filter(enterprise::Column::Name.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            enterprises.insert(e.name, e.id);
        }
    }
    Ok(Lookups {
        orgs,
        projects,
        campaigns,
        enterprises,
    })
}

/// One CSV row as a donation, or the first cell that does not read, by its column.
///
/// Long because it is one column after another, in the file's order, each with the
/// Chinese and English spellings staff type; a helper per column would hide that order.
/// What is wrong with one row, every cell of it: a row is reported whole, so whoever fixes
/// the file fixes it once.
struct Problems {
    line: usize,
    found: Vec<RowError>,
}

impl Problems {
    fn note(&mut self, column: &str, reason: String) {
        self.found.push(RowError {
            row: self.line,
            column: column.to_owned(),
            reason,
        });
    }

    /// The value, or `None` with the reason noted against the column.
    fn check<T>(&mut self, column: &str, result: Result<T, String>) -> Option<T> {
        result.map_err(|reason| self.note(column, reason)).ok()
    }

    fn required<'r>(&mut self, row: &'r RawRow, column: &str) -> Option<&'r str> {
        let value = row.get(column);
        if value.is_none() {
            self.note(column, "required".to_owned());
        }
        value
    }
}

fn parse_row(
    row: &RawRow,
    lookups: &Lookups,
    viewer: &Viewer,
) -> Result<NewDonation, Vec<RowError>> {
    let mut p = Problems {
        line: row.line,
        found: Vec::new(),
    };
    let free_text = |p: &mut Problems, column: &str, kind: TextKind| {
        p.check(
            column,
            text::optional(column, row.get(column), kind).map_err(|e| e.message()),
        )
    };
    let receipt_no = p.required(row, "receipt_no").and_then(|r| {
        let parsed = ReceiptNo::parse(r).map_err(|e| e.message());
        p.check("receipt_no", parsed)
    });
    let org = p.required(row, "org").and_then(|name| {
        let found = lookups
            .orgs
            .get(name)
            .copied()
            .ok_or_else(|| format!("no charity organisation named {name}"))
            .and_then(|id| {
                viewer
                    .require_org(id)
                    .map(|()| id)
                    .map_err(|_| "you may only import donations for your own organisation".into())
            });
        p.check("org", found).map(|id| (id, name))
    });
    let project_name = p.required(row, "project");
    // A project is looked up in its organisation; an unknown organisation is reported once.
    let project_id = match (org, project_name) {
        (Some((org_id, org_name)), Some(project_name)) => {
            let found = lookups
                .projects
                .get(&(org_id, project_name.to_owned()))
                .copied()
                .ok_or_else(|| format!("{org_name} has no project named {project_name}"));
            p.check("project", found)
        }
        _ => None,
    };
    let campaign_id = match row.get("campaign") {
        Some(c) => {
            let found = lookups
                .campaigns
                .get(c)
                .copied()
                .ok_or_else(|| format!("no campaign {c}"));
            p.check("campaign", found).map(Some)
        }
        None => Some(None),
    };
    let donor = match p.required(row, "donor_type").map(|t| {
        parse_enum(
            t,
            &[
                (&["RESIDENT", "居民", "个人"], 0u8),
                (&["ENTERPRISE", "企业", "单位"], 1),
                (&["WALK_IN", "散客", "匿名", "现场"], 2),
            ],
        )
    }) {
        Some(Some(0)) => {
            let phone = p.required(row, "donor_phone").and_then(|phone| {
                let parsed = Phone::parse(phone).map_err(|e| e.to_string());
                p.check("donor_phone", parsed)
            });
            let name = free_text(&mut p, "walk_in_name", TextKind::Name);
            phone
                .zip(name)
                .map(|(phone, name)| DonorRef::Resident { phone, name })
        }
        Some(Some(1)) => p.required(row, "donor_enterprise").and_then(|name| {
            let found = lookups
                .enterprises
                .get(name)
                .copied()
                .ok_or_else(|| format!("no enterprise named {name}"));
            p.check("donor_enterprise", found)
                .map(|id| DonorRef::Enterprise { id })
        }),
        Some(Some(_)) => {
            free_text(&mut p, "walk_in_name", TextKind::Name).map(|name| DonorRef::WalkIn { name })
        }
        Some(None) => {
            p.note(
                "donor_type",
                "RESIDENT, ENTERPRISE or WALK_IN (居民, 企业, 散客)".into(),
            );
            None
        }
        None => None,
    };
    let kind = p.required(row, "kind").and_then(|k| {
        let parsed = parse_enum(
            k,
            &[
                (&["MONEY", "款", "善款", "资金"], DonationKind::Money),
                (&["GOODS", "物", "物资"], DonationKind::Goods),
            ],
        )
        .ok_or_else(|| "MONEY or GOODS (款, 物)".to_owned());
        p.check("kind", parsed)
    });
    let amount = p.required(row, "amount_yuan").and_then(|a| {
        let parsed = Fen::parse_amount(a).map_err(|e| e.to_string());
        p.check("amount_yuan", parsed)
    });
    let goods_quantity = match row.get("goods_quantity") {
        Some(q) => {
            let parsed = q.parse::<i32>().map_err(|_| "a whole number".to_owned());
            p.check("goods_quantity", parsed).map(Some)
        }
        None => Some(None),
    };
    let channel = match row.get("channel") {
        None => Some(DonationChannel::Offline),
        Some(c) => {
            let parsed = parse_enum(
                c,
                &[
                    (&["ONLINE", "线上", "网络"], DonationChannel::Online),
                    (&["OFFLINE", "线下", "现场"], DonationChannel::Offline),
                    (
                        &["ONE_DAY_DONATION", "一日捐", "慈善一日捐"],
                        DonationChannel::OneDayDonation,
                    ),
                    (
                        &["BANK_TRANSFER", "银行转账", "转账"],
                        DonationChannel::BankTransfer,
                    ),
                    (&["OTHER", "其他"], DonationChannel::Other),
                ],
            )
            .ok_or_else(|| format!("unknown channel {c}"));
            p.check("channel", parsed)
        }
    };
    let funding_source = match row.get("funding_source") {
        None => Some(FundingSource::Public),
        Some(f) => {
            let parsed = parse_enum(
                f,
                &[
                    (&["PUBLIC", "社会捐赠"], FundingSource::Public),
                    (
                        &["GOVERNMENT_MATCHING", "政府配比"],
                        FundingSource::GovernmentMatching,
                    ),
                    (
                        &["CHARITY_TRANSFER", "慈善组织转入"],
                        FundingSource::CharityTransfer,
                    ),
                ],
            )
            .ok_or_else(|| format!("unknown funding source {f}"));
            p.check("funding_source", parsed)
        }
    };
    let visibility = match row.get("visibility") {
        None => Some(Visibility::Masked),
        Some(v) => {
            let parsed = parse_enum(
                v,
                &[
                    (&["NAMED", "实名"], Visibility::Named),
                    (&["MASKED", "隐去部分姓名", "部分隐藏"], Visibility::Masked),
                    (&["ANONYMOUS", "匿名"], Visibility::Anonymous),
                ],
            )
            .ok_or_else(|| format!("unknown visibility {v}"));
            p.check("visibility", parsed)
        }
    };
    let donated_at = p.required(row, "donated_at").and_then(|d| {
        let parsed = parse_local_time(d)
            .ok_or_else(|| "a date like 2026-06-01 or 2026-06-01 10:30".to_owned());
        p.check("donated_at", parsed)
    });
    let goods_description = free_text(&mut p, "goods_description", TextKind::Line);
    let (
        Some(receipt_no),
        Some((org_id, _)),
        Some(project_id),
        Some(campaign_id),
        Some(donor),
        Some(kind),
        Some(amount),
        Some(goods_quantity),
        Some(channel),
        Some(funding_source),
        Some(visibility),
        Some(donated_at),
        Some(goods_description),
    ) = (
        receipt_no,
        org,
        project_id,
        campaign_id,
        donor,
        kind,
        amount,
        goods_quantity,
        channel,
        funding_source,
        visibility,
        donated_at,
        goods_description,
    )
    else {
        return Err(p.found);
    };
    let donation = NewDonation {
        org_id,
        project_id,
        campaign_id,
        donor,
        kind,
        amount,
        goods_description,
        goods_quantity,
        channel,
        funding_source,
        donated_at,
        receipt_no,
        visibility,
    };
    // The rules across cells (goods need a description, no date in the future ...) once
    // every cell reads.
    if let Err(e) = donation.check_shape(Utc::now()) {
        let column = match &e {
            AppError::BadInput { field: Some(f), .. } => f.clone(),
            _ => "row".into(),
        };
        p.note(&column, e.message());
        return Err(p.found);
    }
    Ok(donation)
}

/// Local (Asia/Shanghai) date or date-time in the spellings Excel produces.
fn parse_local_time(text: &str) -> Option<chrono::DateTime<Utc>> {
    let text = text.trim().replace('/', "-");
    let naive = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&text, f).ok())
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })?;
    DISTRICT_TZ
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// Whether a row already in the database is the same donation as this one.
fn same_donation(existing: &donation::Model, new: &NewDonation) -> bool {
    existing.amount_fen == new.amount.get()
        && existing.kind == new.kind
        && existing.project_id == new.project_id
        && existing.donated_at == new.donated_at
}

/// Validate the whole file, then write all of it in one transaction, or nothing; then bring
/// the rankings up to date with what was written.
#[tracing::instrument(skip(db, boards, viewer, bytes), fields(bytes = bytes.len()))]
pub async fn import(
    db: &Db,
    boards: &Boards,
    viewer: &Viewer,
    bytes: &[u8],
) -> AppResult<ImportReport> {
    let write = boards.before_write().await;
    let (report, written) = import_rows(db, viewer, bytes).await?;
    if !written.is_empty() {
        write.donations_recorded(&written).await;
    }
    Ok(report)
}

/// The import itself, database only (seeding uses it before any cache exists; the ranking
/// sets are then built from the database on first read or by `api leaderboard rebuild`).
pub async fn import_rows(
    db: &Db,
    viewer: &Viewer,
    bytes: &[u8],
) -> AppResult<(ImportReport, Vec<donation::Model>)> {
    let text = decode(bytes)?;
    let rows = read_rows(&text)?;
    let lookups = load_lookups(&db.conn, &rows).await?;
    let mut report = ImportReport {
        rows: rows.len(),
        ..Default::default()
    };
    let mut parsed = Vec::with_capacity(rows.len());
    let mut seen = HashMap::new();
    for row in &rows {
        match parse_row(row, &lookups, viewer) {
            Ok(d) => {
                let key = (d.org_id, d.receipt_no.as_str().to_owned());
                if let Some(first) = seen.insert(key, row.line) {
                    report.errors.push(RowError {
                        row: row.line,
                        column: "receipt_no".into(),
                        reason: format!("same receipt number as row {first}"),
                    });
                } else {
                    parsed.push((row.line, d));
                }
            }
            Err(found) => report.errors.extend(found),
        }
    }
    // Receipts already in the database: identical means imported before (skip), else an error.
    let existing = existing_receipts(&db.conn, &parsed).await?;
    let mut to_write = Vec::with_capacity(parsed.len());
    for (line, d) in parsed {
        match existing.get(&(d.org_id, d.receipt_no.as_str().to_owned())) {
            Some(old) if same_donation(old, &d) => report.skipped += 1,
            Some(_) => report.errors.push(RowError {
                row: line,
                column: "receipt_no".into(),
                reason: "this receipt number is already used for a different donation".into(),
            }),
            None => to_write.push((line, d)),
        }
    }
    if !report.is_ok() {
        report.errors.sort_by_key(|e| e.row);
        return Ok((report, Vec::new()));
    }
    let txn = db.begin_write().await?;
    match write_all(&*txn, viewer.account_id, to_write).await? {
        Ok(written) => {
            txn.commit().await?;
            report.imported = written.len();
            Ok((report, written))
        }
        Err(mut errors) => {
            // Dropping the transaction rolls back everything written so far.
            errors.sort_by_key(|e| e.row);
            report.errors = errors;
            Ok((report, Vec::new()))
        }
    }
}

/// Rows per multi-row INSERT: under PostgreSQL's 65,535 bind parameters and SQLite's 32,766
/// (26 columns a donation).
const ROWS_PER_INSERT: usize = 1_000;

/// Long because the steps share one transaction and each step's lookups feed the next.
///
/// Write the validated rows in bulk inside the caller's transaction: what the per-row
/// `record_in` does (donor found or registered, rule of the day, credits, the donor's balance
/// and total, one `DONATION` entry each), with a few set-based statements instead of ten
/// round trips a row. `Ok(Err(..))` names the rows that cannot be written.
async fn write_all(
    conn: &impl ConnectionTrait,
    recorded_by: Uuid,
    rows: Vec<(usize, NewDonation)>,
) -> AppResult<Result<Vec<donation::Model>, Vec<RowError>>> {
    let mut errors = Vec::new();
    let row_error = |row: usize, column: &str, reason: &str| RowError {
        row,
        column: column.to_owned(),
        reason: reason.to_owned(),
    };

    // Campaign dates, checked on the local day of the donation.
    let campaigns: HashMap<Uuid, (chrono::NaiveDate, chrono::NaiveDate)> = campaign::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, (c.starts_on, c.ends_on)))
        .collect();
    for (line, d) in &rows {
        if let Some(campaign_id) = d.campaign_id
            && let Err(refused) =
                rules::within_campaign(campaigns.get(&campaign_id).copied(), d.donated_at)
        {
            errors.push(RowError::refused(*line, &refused));
        }
    }

    // Donors: residents by phone (registered when the row names them), enterprises by id.
    let mut phones: Vec<String> = Vec::new();
    let mut enterprise_ids: Vec<Uuid> = Vec::new();
    for (_, d) in &rows {
        match &d.donor {
            DonorRef::Resident { phone, .. } => phones.push(phone.as_str().to_owned()),
            DonorRef::Enterprise { id } => enterprise_ids.push(*id),
            DonorRef::WalkIn { .. } => {}
        }
    }
    phones.sort_unstable();
    phones.dedup();
    let mut donor_by_phone: HashMap<String, Uuid> = HashMap::new();
    for chunk in phones.chunks(ROWS_PER_INSERT) {
        for r in resident::Entity::find()
            .filter(resident::Column::Phone.is_in(chunk.iter().map(String::as_str)))
            .all(conn)
            .await?
        {
            donor_by_phone.insert(r.phone, r.id);
        }
    }
    for (line, d) in &rows {
        let DonorRef::Resident { phone, name } = &d.donor else {
            continue;
        };
        if donor_by_phone.contains_key(phone.as_str()) {
            continue;
        }
        match rules::name_to_register(name.as_deref()) {
            Ok(name) if errors.is_empty() => {
                let registered = crate::accounts::residents::register(
                    conn,
                    name,
                    phone,
                    None,
                    Default::default(),
                )
                .await?;
                donor_by_phone.insert(phone.as_str().to_owned(), registered.id);
            }
            Ok(_) => {}
            Err(refused) => errors.push(RowError::refused(*line, &refused)),
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut donor_ids: Vec<Uuid> = donor_by_phone.values().copied().collect();
    donor_ids.extend(enterprise_ids);
    donor_ids.sort_unstable();
    donor_ids.dedup();
    // Lock the donors' rows (in id order, so two imports cannot deadlock) and start each running
    // balance from what is stored: the entries' `balance_after` continue it exactly.
    let mut donors: HashMap<Uuid, donor::Model> = HashMap::new();
    for chunk in donor_ids.chunks(ROWS_PER_INSERT) {
        for d in donor::Entity::find()
            .filter(donor::Column::Id.is_in(chunk.iter().copied()))
            .order_by_asc(donor::Column::Id)
            .lock_exclusive()
            .all(conn)
            .await?
        {
            donors.insert(d.id, d);
        }
    }

    let rule_book = bulk::donation_rules(conn).await?;

    let now = Utc::now();
    let mut written = Bulk::default();
    for (line, d) in rows {
        let donor = match &d.donor {
            DonorRef::Resident { phone, .. } => donor_by_phone
                .get(phone.as_str())
                .and_then(|id| donors.get(id)),
            DonorRef::Enterprise { id } => donors.get(id),
            DonorRef::WalkIn { .. } => None,
        };
        if donor.is_none() && !matches!(d.donor, DonorRef::WalkIn { .. }) {
            errors.push(row_error(line, "donor", "the donor was not found"));
            continue;
        }
        let rule = bulk::rule_at(&rule_book, donor, d.donated_at);
        written.add(Uuid::now_v7(), &d, donor, rule, recorded_by, now);
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    // The receipts were checked before the transaction; another writer may have got there
    // in between. Importing the file again skips what is already there.
    written
        .write(
            conn,
            "a receipt number in this file was recorded meanwhile; import the file again",
        )
        .await?;
    let written = written.donations;
    let changes: Vec<_> = written.iter().map(|d| (d, 1, d.visibility)).collect();
    crate::rankings::totals::donations_changed(conn, &changes).await?;
    Ok(Ok(written))
}

/// A resident's phone as stored (the rows were checked by `check_shape`).
async fn existing_receipts(
    conn: &impl ConnectionTrait,
    parsed: &[(usize, NewDonation)],
) -> AppResult<HashMap<(Uuid, String), donation::Model>> {
    let mut by_org: HashMap<Uuid, Vec<&str>> = HashMap::new();
    for (_, d) in parsed {
        by_org
            .entry(d.org_id)
            .or_default()
            .push(d.receipt_no.as_str());
    }
    let mut found = HashMap::new();
    for (org_id, receipts) in by_org {
        for chunk in receipts.chunks(500) {
            for d in donation::Entity::find()
                .filter(donation::Column::OrgId.eq(org_id))
                .filter(donation::Column::ReceiptNo.is_in(chunk.iter().copied()))
                .all(conn)
                .await?
            {
                found.insert((d.org_id, d.receipt_no.clone()), d);
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic_the_reader(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            if let Ok(text) = decode(&bytes) {
                let _ = read_rows(&text);
            }
        }

        #[test]
        fn arbitrary_rows_under_a_valid_header_never_panic(cells in proptest::collection::vec("[^\\n]{0,20}", 16)) {
            let header = COLUMNS.iter().map(|(en, _)| *en).collect::<Vec<_>>().join(",");
            let row = cells.iter().map(|c| format!("\"{}\"", c.replace('"', "\"\""))).collect::<Vec<_>>().join(",");
            if let Ok(rows) = read_rows(&format!("{header}\n{row}")) {
                let lookups = Lookups { orgs: HashMap::new(), projects: HashMap::new(), campaigns: HashMap::new(), enterprises: HashMap::new() };
                let viewer = Viewer { account_id: Uuid::now_v7(), role: crate::entities::enums::Role::Admin, org_id: None, partner_id: None, donor_id: None };
                for r in &rows {
                    let _ = parse_row(r, &lookups, &viewer);
                    let _ = parse_local_time(r.get("donated_at").unwrap_or(""));
                }
            }
        }
    }

    #[test]
    fn gbk_bytes_decode_to_the_same_text() {
        let (gbk, _, _) = encoding_rs::GBK.encode("收据编号,接收机构");
        assert_eq!(decode(&gbk).unwrap(), "收据编号,接收机构");
        assert_eq!(decode("\u{feff}a,b".as_bytes()).unwrap(), "a,b");
    }

    #[test]
    fn chinese_and_english_headers_name_the_same_columns() {
        assert_eq!(canonical_column("金额（元）"), Some("amount_yuan"));
        assert_eq!(canonical_column("Amount_Yuan"), Some("amount_yuan"));
        assert_eq!(canonical_column("备注"), None);
    }

    #[test]
    fn local_times_are_read_in_beijing_time() {
        let t = parse_local_time("2026-06-01 08:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-06-01T00:00:00+00:00");
        assert!(parse_local_time("2026/06/01").is_some());
        assert!(parse_local_time("June 1st").is_none());
    }
}
