//! 志愿服务时长证明: a self-contained HTML page, A4 and fit to print, of a resident's
//! certified hours, with a code (and its address) anyone can check with
//! `verifyVolunteerCertificate`.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::certification;
use crate::{
    db::Db,
    district_time::DISTRICT_TZ,
    entities::{resident, volunteer_certificate},
    error::{AppError, AppResult},
};

/// One certified activity on the certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateLine {
    pub on: NaiveDate,
    pub title: String,
    pub org_name: String,
    pub minutes: i32,
}

#[derive(Clone, Debug)]
pub struct Certificate {
    pub resident_name: String,
    pub lines: Vec<CertificateLine>,
    pub total_minutes: i64,
    pub issued_at: DateTime<Utc>,
    /// Printed on the page: `verifyVolunteerCertificate` confirms the total it states.
    pub reference: String,
    /// Where anyone checks it (also the page's QR code target in the app).
    pub verify_url: String,
}

impl Certificate {
    pub fn html(&self) -> String {
        render(self)
    }
}

/// The certificate of a resident's certified hours (minutes of 0 are left out), issued with
/// a code: the latest one again while the hours are unchanged, else a new one (an older code
/// keeps verifying the total it stated).
#[tracing::instrument(skip(db))]
pub async fn for_resident(db: &Db, resident_id: Uuid, public_url: &str) -> AppResult<Certificate> {
    let r = resident::Entity::find_by_id(resident_id)
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::not_found("resident"))?;
    let lines: Vec<CertificateLine> = certification::history(db, resident_id)
        .await?
        .into_iter()
        .filter(|(c, _, _)| c.minutes > 0)
        .map(|(c, a, org)| CertificateLine {
            on: a.starts_at.with_timezone(&DISTRICT_TZ).date_naive(),
            title: a.title,
            org_name: org.name,
            minutes: c.minutes,
        })
        .collect();
    let total_minutes = lines.iter().map(|l| i64::from(l.minutes)).sum();
    let issued = issue(db, resident_id, total_minutes, lines.len() as i32).await?;
    Ok(Certificate {
        resident_name: r.name,
        lines,
        total_minutes,
        issued_at: issued.issued_at,
        verify_url: format!(
            "{public_url}/verify/certificate/{}",
            issued.verification_code
        ),
        reference: issued.verification_code,
    })
}

async fn issue(
    db: &Db,
    resident_id: Uuid,
    total_minutes: i64,
    activity_count: i32,
) -> AppResult<volunteer_certificate::Model> {
    let latest = volunteer_certificate::Entity::find()
        .filter(volunteer_certificate::Column::ResidentId.eq(resident_id))
        .order_by_desc(volunteer_certificate::Column::IssuedAt)
        .one(&db.conn)
        .await?;
    if let Some(c) = latest
        && (c.total_minutes, c.activity_count) == (total_minutes, activity_count)
    {
        return Ok(c);
    }
    let txn = db.begin_write().await?;
    let model = volunteer_certificate::ActiveModel {
        id: Set(Uuid::now_v7()),
        resident_id: Set(resident_id),
        total_minutes: Set(total_minutes),
        activity_count: Set(activity_count),
        verification_code: Set(format!("VC{}", crate::codes::random_code(14))),
        issued_at: Set(Utc::now()),
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// What checking a certificate's code shows anyone.
pub struct Verified {
    pub certificate: volunteer_certificate::Model,
    /// The resident's name, masked (PIPL: a stranger holding the code learns no full name).
    pub resident_name: String,
    /// The resident's certified hours today are still what it states.
    pub still_current: bool,
}

pub async fn verify(db: &Db, code: &str) -> AppResult<Option<Verified>> {
    let Some(c) = volunteer_certificate::Entity::find()
        .filter(
            volunteer_certificate::Column::VerificationCode.eq(code.trim().to_ascii_uppercase()),
        )
        .one(&db.conn)
        .await?
    else {
        return Ok(None);
    };
    let r = resident::Entity::find_by_id(c.resident_id)
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::not_found("resident"))?;
    let lines = certification::history(db, c.resident_id).await?;
    let now: (i64, i32) = lines
        .iter()
        .filter(|(cert, _, _)| cert.minutes > 0)
        .fold((0, 0), |(m, n), (cert, _, _)| {
            (m + i64::from(cert.minutes), n + 1)
        });
    Ok(Some(Verified {
        still_current: now == (c.total_minutes, c.activity_count),
        resident_name: crate::privacy::mask_name(&r.name),
        certificate: c,
    }))
}

/// Hours with one decimal, e.g. 150 minutes → "2.5".
pub fn hours_text(minutes: i64) -> String {
    format!("{}.{}", minutes / 60, (minutes % 60) * 10 / 60)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn render(c: &Certificate) -> String {
    let rows: String = c
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>\n",
                i + 1,
                l.on.format("%Y-%m-%d"),
                escape(&l.title),
                escape(&l.org_name),
                hours_text(i64::from(l.minutes)),
            )
        })
        .collect();
    let issued = c.issued_at.with_timezone(&DISTRICT_TZ);
    format!(
        r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>志愿服务时长证明 - {name}</title>
<style>
  @page {{ size: A4; margin: 20mm; }}
  body {{ font-family: "Songti SC", "SimSun", serif; color: #000; max-width: 170mm; margin: 0 auto; }}
  h1 {{ text-align: center; letter-spacing: 0.3em; font-size: 22pt; margin: 0 0 8mm; }}
  p {{ font-size: 12pt; line-height: 1.8; text-indent: 2em; }}
  table {{ width: 100%; border-collapse: collapse; font-size: 10.5pt; margin: 6mm 0; }}
  th, td {{ border: 1px solid #000; padding: 2mm 3mm; text-align: left; }}
  td.num, th.num {{ text-align: right; }}
  tr {{ break-inside: avoid; }}
  tfoot td {{ font-weight: bold; }}
  .sign {{ margin-top: 14mm; text-align: right; font-size: 12pt; line-height: 2; }}
  .ref {{ margin-top: 10mm; font-size: 9pt; color: #444; }}
  @media screen {{ body {{ padding: 10mm; }} }}
</style>
</head>
<body>
<h1>志愿服务时长证明</h1>
<p>兹证明 <strong>{name}</strong> 参加洞头区慈善组织发布的志愿服务活动，经组织方时长认证，累计志愿服务时长 <strong>{total}</strong> 小时，明细如下。</p>
<table>
<thead><tr><th>序号</th><th>日期</th><th>活动</th><th>组织方</th><th class="num">认证时长（小时）</th></tr></thead>
<tbody>
{rows}</tbody>
<tfoot><tr><td colspan="4">合计</td><td class="num">{total}</td></tr></tfoot>
</table>
<div class="sign">洞头慈善共富平台<br>{date}</div>
<div class="ref">证明编号：{reference}　出具时间：{stamp}（北京时间）。时长以各组织方认证为准。<br>任何人可在 {verify_url} 查验本证明。</div>
</body>
</html>
"#,
        name = escape(&c.resident_name),
        total = hours_text(c.total_minutes),
        rows = rows,
        date = issued.format("%Y年%m月%d日"),
        stamp = issued.format("%Y-%m-%d %H:%M"),
        reference = escape(&c.reference),
        verify_url = escape(&c.verify_url),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_print_with_one_decimal() {
        assert_eq!(hours_text(150), "2.5");
        assert_eq!(hours_text(180), "3.0");
        assert_eq!(hours_text(0), "0.0");
    }

    #[test]
    fn the_page_lists_every_line_and_escapes_text() {
        let c = Certificate {
            resident_name: "陈<晓>明".into(),
            lines: vec![CertificateLine {
                on: NaiveDate::from_ymd_opt(2026, 3, 21).unwrap(),
                title: "海岛垃圾清理 & 宣传".into(),
                org_name: "元觉街道慈善分会".into(),
                minutes: 120,
            }],
            total_minutes: 120,
            issued_at: Utc::now(),
            reference: "VC0000".into(),
            verify_url: "https://cishan.example.cn/verify/certificate/VC0000".into(),
        };
        let html = c.html();
        assert!(html.contains("陈&lt;晓&gt;明"));
        assert!(html.contains("海岛垃圾清理 &amp; 宣传"));
        assert!(html.contains("2026-03-21"));
        assert!(html.contains("@page"));
        assert!(!html.contains("<晓>"));
        assert!(html.contains("https://cishan.example.cn/verify/certificate/VC0000"));
    }
}
