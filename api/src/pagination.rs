//! Cursor pagination shared by every list: `first` up to 100, opaque `after` cursors.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Iterable, ModelTrait, PrimaryKeyToColumn,
    QueryFilter, QueryOrder, QuerySelect, Select, Value,
};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

pub const DEFAULT_PAGE_SIZE: u64 = 20;
pub const MAX_PAGE_SIZE: u64 = 100;

/// A parsed `first`/`after` pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u64,
    /// The sort key of the last item already seen.
    pub after: Option<String>,
}

/// One page of results and whether more follow.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next: bool,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            has_next: self.has_next,
        }
    }

    /// Cut a list fetched with `limit + 1` rows down to a page.
    pub fn from_overfetch(mut items: Vec<T>, limit: u64) -> Self {
        let has_next = items.len() as u64 > limit;
        items.truncate(limit as usize);
        Self { items, has_next }
    }
}

impl PageRequest {
    pub fn parse(first: Option<i32>, after: Option<&str>) -> AppResult<Self> {
        let limit = match first {
            None => DEFAULT_PAGE_SIZE,
            Some(n) if n < 0 => return Err(AppError::bad_field("first", "first must be >= 0")),
            Some(n) if n as u64 > MAX_PAGE_SIZE => {
                return Err(AppError::bad_field(
                    "first",
                    format!("first may be at most {MAX_PAGE_SIZE}"),
                ));
            }
            Some(n) => n as u64,
        };
        let after = after.map(decode_cursor).transpose()?;
        Ok(Self { limit, after })
    }

    pub fn first(limit: u64) -> Self {
        Self { limit, after: None }
    }

    /// The `after` key as a UUID, for lists ordered by id.
    pub fn after_id(&self) -> AppResult<Option<Uuid>> {
        self.after
            .as_deref()
            .map(|key| Uuid::parse_str(key).map_err(|_| bad_cursor()))
            .transpose()
    }

    /// The `after` key as an offset, for small fixed lists.
    pub fn after_offset(&self) -> AppResult<u64> {
        self.after
            .as_deref()
            .map(|key| key.parse::<u64>().map_err(|_| bad_cursor()))
            .transpose()
            .map(|o| o.map_or(0, |o| o + 1))
    }
}

fn bad_cursor() -> AppError {
    AppError::bad_field("after", "not a cursor from this list")
}

pub fn encode_cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("c1:{key}"))
}

pub fn decode_cursor(cursor: &str) -> AppResult<String> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad_cursor())?;
    let text = String::from_utf8(bytes).map_err(|_| bad_cursor())?;
    text.strip_prefix("c1:")
        .map(str::to_owned)
        .ok_or_else(bad_cursor)
}

/// The primary key of a model whose key is a single UUID.
pub fn model_id<M: ModelTrait>(model: &M) -> Uuid {
    let col = <M::Entity as EntityTrait>::PrimaryKey::iter()
        .next()
        .expect("entity has a primary key")
        .into_column();
    match model.get(col) {
        Value::Uuid(Some(id)) => id,
        other => unreachable!("primary key is not a UUID: {other:?}"),
    }
}

/// Keyset pagination in id order (ids are UUID v7, so this is creation order).
pub async fn by_id<E, C>(db: &C, select: Select<E>, page: &PageRequest) -> AppResult<Page<E::Model>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let id_col = E::PrimaryKey::iter()
        .next()
        .expect("entity has a primary key")
        .into_column();
    let mut select = select.order_by_asc(id_col);
    if let Some(after) = page.after_id()? {
        select = select.filter(id_col.gt(after));
    }
    let rows = select.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_overfetch(rows, page.limit))
}

/// Keyset pagination newest first (descending id).
pub async fn by_id_desc<E, C>(
    db: &C,
    select: Select<E>,
    page: &PageRequest,
) -> AppResult<Page<E::Model>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let id_col = E::PrimaryKey::iter()
        .next()
        .expect("entity has a primary key")
        .into_column();
    let mut select = select.order_by_desc(id_col);
    if let Some(after) = page.after_id()? {
        select = select.filter(id_col.lt(after));
    }
    let rows = select.limit(page.limit + 1).all(db).await?;
    Ok(Page::from_overfetch(rows, page.limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let key = Uuid::now_v7().to_string();
        assert_eq!(decode_cursor(&encode_cursor(&key)).unwrap(), key);
        assert_eq!(decode_cursor("!!").unwrap_err().code(), "BAD_USER_INPUT");
        assert_eq!(
            decode_cursor(&URL_SAFE_NO_PAD.encode("x"))
                .unwrap_err()
                .code(),
            "BAD_USER_INPUT"
        );
    }

    #[test]
    fn pages_are_capped_at_one_hundred() {
        assert_eq!(PageRequest::parse(None, None).unwrap().limit, 20);
        assert_eq!(PageRequest::parse(Some(100), None).unwrap().limit, 100);
        assert_eq!(
            PageRequest::parse(Some(101), None).unwrap_err().code(),
            "BAD_USER_INPUT"
        );
        assert_eq!(
            PageRequest::parse(Some(-1), None).unwrap_err().code(),
            "BAD_USER_INPUT"
        );
    }

    #[test]
    fn overfetching_one_row_tells_whether_more_follow() {
        let page = Page::from_overfetch(vec![1, 2, 3], 2);
        assert_eq!(page.items, vec![1, 2]);
        assert!(page.has_next);
        assert!(!Page::from_overfetch(vec![1, 2], 2).has_next);
    }
}
