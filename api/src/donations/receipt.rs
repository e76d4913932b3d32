//! Printable receipts: one HTML page per donation, fit for a browser's print dialog.

use html_escape::encode_text as esc;

use crate::{
    district_time::DISTRICT_TZ,
    entities::{
        charity_org, charity_project, donation, enums::DonationKind, enums::DonationStatus,
    },
    money::Fen,
};

pub struct ReceiptParts<'a> {
    pub donation: &'a donation::Model,
    pub org: &'a charity_org::Model,
    pub project: &'a charity_project::Model,
    pub donor: &'a str,
}

pub fn render(parts: &ReceiptParts<'_>) -> String {
    let d = parts.donation;
    let what = match d.kind {
        DonationKind::Money => format!("善款 ¥{}", Fen::new(d.amount_fen)),
        DonationKind::Goods => format!(
            "物资 {} × {}（估值 ¥{}）",
            esc(d.goods_description.as_deref().unwrap_or("")),
            d.goods_quantity.unwrap_or(0),
            Fen::new(d.amount_fen)
        ),
    };
    let status = match d.status {
        DonationStatus::Confirmed => "有效",
        DonationStatus::Voided => "已作废",
    };
    format!(
        r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>捐赠收据 {receipt}</title>
<style>body{{font-family:sans-serif;max-width:40em;margin:2em auto}}td{{padding:.3em 1em}}@media print{{button{{display:none}}}}</style>
</head><body>
<h1>{org} 捐赠收据</h1>
<table>
<tr><td>收据编号</td><td>{receipt}</td></tr>
<tr><td>捐赠人</td><td>{donor}</td></tr>
<tr><td>捐赠内容</td><td>{what}</td></tr>
<tr><td>慈善项目</td><td>{project}</td></tr>
<tr><td>捐赠时间</td><td>{at}</td></tr>
<tr><td>积分</td><td>{credits}</td></tr>
<tr><td>状态</td><td>{status}</td></tr>
<tr><td>验证码</td><td><strong>{code}</strong></td></tr>
</table>
<p>任何人可凭验证码在“洞头慈善共富”查验本收据真伪（verifyReceipt）。</p>
<button onclick="window.print()">打印</button>
</body></html>"#,
        receipt = esc(&d.receipt_no),
        org = esc(&parts.org.name),
        donor = esc(parts.donor),
        project = esc(&parts.project.name),
        at = d
            .donated_at
            .with_timezone(&DISTRICT_TZ)
            .format("%Y-%m-%d %H:%M"),
        credits = d.credits_awarded,
        code = esc(&d.verification_code),
    )
}
