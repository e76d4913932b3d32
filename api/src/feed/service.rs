//! MEDIA API keys (only a SHA-256 of each is stored) and the feed of published editions as
//! JSON and as Atom 1.0.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, ExprTrait, QueryFilter,
    QueryOrder, sea_query::Expr,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    db::Db,
    entities::{
        api_key,
        enums::{Board, Period},
        ranking_edition, ranking_edition_entry, town,
    },
    error::{AppError, AppResult},
    money::Fen,
    rankings::editions,
};

/// How many of the latest editions the feed lists.
pub const FEED_EDITIONS: u64 = 20;
const KEY_PREFIX: &str = "dtm_";

pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.trim().as_bytes()))
}

/// A new key: its row, and the secret, shown this once and never stored.
pub struct IssuedKey {
    pub key: api_key::Model,
    pub secret: String,
}

#[tracing::instrument(skip(db, viewer))]
pub async fn issue(db: &Db, viewer: &Viewer, name: &str) -> AppResult<IssuedKey> {
    if !viewer.is_admin() {
        return Err(AppError::forbidden(
            "only the civil-affairs bureau issues media keys",
        ));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::bad_field(
            "name",
            "a key's name is 1 to 100 characters",
        ));
    }
    let secret = format!("{KEY_PREFIX}{}", hex::encode(rand::random::<[u8; 24]>()));
    let txn = db.begin_write().await?;
    let key = api_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.to_owned()),
        key_prefix: Set(secret[..KEY_PREFIX.len() + 8].to_owned()),
        key_hash: Set(hash_secret(&secret)),
        created_by: Set(viewer.account_id),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
        last_used_at: Set(None),
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(IssuedKey { key, secret })
}

/// Revoke a key; the feed refuses it from the next request on. Revoking twice is harmless.
#[tracing::instrument(skip(db, viewer))]
pub async fn revoke(db: &Db, viewer: &Viewer, id: Uuid) -> AppResult<api_key::Model> {
    if !viewer.is_admin() {
        return Err(AppError::forbidden(
            "only the civil-affairs bureau revokes media keys",
        ));
    }
    let txn = db.begin_write().await?;
    api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(api_key::Column::Id.eq(id))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec(&*txn)
        .await?;
    let key = api_key::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or_else(|| AppError::not_found("media API key"))?;
    txn.commit().await?;
    Ok(key)
}

pub async fn list(db: &Db) -> AppResult<Vec<api_key::Model>> {
    Ok(api_key::Entity::find()
        .order_by_desc(api_key::Column::Id)
        .all(&db.conn)
        .await?)
}

/// The live (not revoked) key with this secret.
pub async fn authenticate(db: &Db, secret: &str) -> AppResult<Option<api_key::Model>> {
    Ok(api_key::Entity::find()
        .filter(api_key::Column::KeyHash.eq(hash_secret(secret)))
        .filter(api_key::Column::RevokedAt.is_null())
        .one(&db.conn)
        .await?)
}

/// Note the key's use, at most once a minute (a write per request would be waste).
pub async fn touch(db: &Db, id: Uuid) -> AppResult<()> {
    let now = Utc::now();
    api_key::Entity::update_many()
        .col_expr(api_key::Column::LastUsedAt, Expr::value(now))
        .filter(api_key::Column::Id.eq(id))
        .filter(
            Expr::col(api_key::Column::LastUsedAt)
                .is_null()
                .or(Expr::col(api_key::Column::LastUsedAt).lt(now - chrono::Duration::minutes(1))),
        )
        .exec(&db.conn)
        .await?;
    Ok(())
}

/// An edition with what the feed shows of it.
pub struct FeedEdition {
    pub edition: ranking_edition::Model,
    pub town: Option<town::Model>,
    pub corrects_number: Option<i32>,
    pub as_of: DateTime<Utc>,
    pub rules: serde_json::Value,
    pub entries: Vec<ranking_edition_entry::Model>,
}

/// The latest editions, newest first, with their entries.
pub async fn load(db: &Db) -> AppResult<Vec<FeedEdition>> {
    let list = editions::latest(db, FEED_EDITIONS).await?;
    let mut entries: HashMap<Uuid, Vec<ranking_edition_entry::Model>> = HashMap::new();
    for e in editions::entries_of(db, &list).await? {
        entries.entry(e.edition_id).or_default().push(e);
    }
    let towns: HashMap<Uuid, town::Model> = town::Entity::find()
        .all(&db.conn)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let mut out = Vec::with_capacity(list.len());
    for edition in list {
        let corrects_number = match edition.corrects_edition_id {
            Some(id) => editions::by_id(db, id).await?.map(|e| e.number),
            None => None,
        };
        let basis = editions::basis(&edition)?;
        out.push(FeedEdition {
            town: edition.town_id.and_then(|t| towns.get(&t).cloned()),
            corrects_number,
            as_of: basis.as_of,
            rules: serde_json::from_str(&edition.rules_json).unwrap_or(serde_json::Value::Null),
            entries: entries.remove(&edition.id).unwrap_or_default(),
            edition,
        });
    }
    Ok(out)
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn board_title(board: Board) -> &'static str {
    match board {
        Board::Residents => "居民捐赠榜",
        Board::Organisations => "单位捐赠榜",
        Board::VolunteerHours => "志愿服务时长榜",
    }
}

fn period_title(period: Period, key: &str) -> String {
    match period {
        Period::AllTime => "累计".into(),
        _ => key.to_owned(),
    }
}

fn total_text(board: Board, total: i64) -> String {
    match board {
        Board::VolunteerHours => format!("{total} 分钟"),
        _ => format!("{} 元", Fen::new(total)),
    }
}

fn title(e: &FeedEdition) -> String {
    format!(
        "洞头慈善榜 第{}期 · {} · {} · {}{}",
        e.edition.number,
        board_title(e.edition.board),
        period_title(e.edition.period, &e.edition.period_key),
        e.town.as_ref().map_or("全区", |t| t.name.as_str()),
        e.corrects_number
            .map(|n| format!(" · 更正第{n}期"))
            .unwrap_or_default()
    )
}

/// The feed as JSON.
pub fn render_json(editions: &[FeedEdition]) -> Vec<u8> {
    let updated = editions.first().map(|e| rfc3339(e.edition.published_at));
    let list: Vec<serde_json::Value> = editions
        .iter()
        .map(|e| {
            let board = e.edition.board;
            json!({
                "number": e.edition.number,
                "title": title(e),
                "board": board,
                "period": e.edition.period,
                "periodKey": e.edition.period_key,
                "town": e.town.as_ref().map(|t| json!({ "code": t.code, "name": t.name })),
                "publishedAt": rfc3339(e.edition.published_at),
                "asOf": rfc3339(e.as_of),
                "ledgerHash": e.edition.ledger_hash,
                "correctsEdition": e.corrects_number,
                "rules": e.rules,
                "entries": e.entries.iter().map(|l| json!({
                    "rank": l.rank,
                    "displayName": l.display_name,
                    "amount": (board != Board::VolunteerHours).then(|| Fen::new(l.total).to_string()),
                    "minutes": (board == Board::VolunteerHours).then_some(l.total),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::to_vec(&json!({
        "title": "洞头慈善榜",
        "updated": updated,
        "editions": list,
    }))
    .expect("the feed serialises")
}

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow at all.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            c => out.push(c),
        }
    }
    out
}

const FEED_ID: &str = "tag:dongtou.gov.cn,2026:rankings";

/// The feed as Atom 1.0 (RFC 4287): one entry per edition, its lines as text content.
/// The Atom document; `public_url` makes its links absolute, as Atom readers need.
pub fn render_atom(editions: &[FeedEdition], public_url: &str) -> String {
    let updated = editions.first().map_or_else(
        || rfc3339(DateTime::UNIX_EPOCH),
        |e| rfc3339(e.edition.published_at),
    );
    let mut xml = String::new();
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n");
    xml.push_str(&format!("  <id>{FEED_ID}</id>\n"));
    xml.push_str("  <title>洞头慈善榜</title>\n");
    xml.push_str("  <subtitle>洞头区慈善捐赠与志愿服务排行榜（已发布各期）</subtitle>\n");
    xml.push_str(&format!("  <updated>{updated}</updated>\n"));
    xml.push_str("  <author><name>洞头区民政局</name></author>\n");
    let base = xml_escape(public_url);
    xml.push_str(&format!(
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{base}/feed/rankings.atom\"/>\n"
    ));
    xml.push_str(&format!(
        "  <link rel=\"alternate\" type=\"application/json\" href=\"{base}/feed/rankings.json\"/>\n"
    ));
    for e in editions {
        let board = e.edition.board;
        let published = rfc3339(e.edition.published_at);
        let mut content = String::new();
        for l in &e.entries {
            content.push_str(&format!(
                "{}. {} {}\n",
                l.rank,
                l.display_name,
                total_text(board, l.total)
            ));
        }
        content.push_str(&format!("账本哈希 (SHA-256): {}\n", e.edition.ledger_hash));
        xml.push_str("  <entry>\n");
        xml.push_str(&format!(
            "    <id>{FEED_ID}:edition:{}</id>\n",
            e.edition.number
        ));
        xml.push_str(&format!("    <title>{}</title>\n", xml_escape(&title(e))));
        xml.push_str(&format!("    <updated>{published}</updated>\n"));
        xml.push_str(&format!("    <published>{published}</published>\n"));
        xml.push_str(&format!(
            "    <content type=\"text\">{}</content>\n",
            xml_escape(&content)
        ));
        xml.push_str("  </entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_stored_as_their_hash_only() {
        let h = hash_secret("dtm_abc");
        assert_eq!(h.len(), 64);
        assert_eq!(h, hash_secret(" dtm_abc "));
        assert_ne!(h, hash_secret("dtm_abd"));
    }

    #[test]
    fn xml_text_is_escaped() {
        assert_eq!(xml_escape("a<b>&\"c'\u{1}"), "a&lt;b&gt;&amp;&quot;c&apos;");
    }

    #[test]
    fn an_empty_feed_is_still_a_feed() {
        let xml = render_atom(&[], "https://cishan.example.cn");
        assert!(xml.contains("<id>tag:dongtou.gov.cn,2026:rankings</id>"));
        assert!(xml.contains("<updated>1970-01-01T00:00:00Z</updated>"));
        // Atom readers resolve nothing: the feed's own address is absolute.
        assert!(xml.contains(
            "<link rel=\"self\" type=\"application/atom+xml\" href=\"https://cishan.example.cn/feed/rankings.atom\"/>"
        ));
    }
}
