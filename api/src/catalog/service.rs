//! Reads over the directory tables, paginated.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::{
    db::Db,
    entities::{
        campaign, charity_org, charity_project, donor, enterprise, perk_partner, resident, town,
    },
    error::{AppError, AppResult},
    pagination::{self, Page, PageRequest},
};

/// Towns in their official order (a fixed list of six, so offsets are fine as cursors).
pub async fn towns(db: &Db, page: &PageRequest) -> AppResult<(Page<town::Model>, u64)> {
    let start = page.after_offset()?;
    let rows = town::Entity::find()
        .order_by_asc(town::Column::SortOrder)
        .order_by_asc(town::Column::Id)
        .offset(start)
        .limit(page.limit + 1)
        .all(&db.conn)
        .await?;
    Ok((Page::from_overfetch(rows, page.limit), start))
}

pub async fn town_by_code(db: &Db, code: &str) -> AppResult<town::Model> {
    town::Entity::find()
        .filter(town::Column::Code.eq(code.trim().to_ascii_uppercase()))
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::bad_field("town", format!("no town with code {code}")))
}

pub async fn charity_orgs(
    db: &Db,
    town_id: Option<Uuid>,
    page: &PageRequest,
) -> AppResult<Page<charity_org::Model>> {
    let mut select = charity_org::Entity::find();
    if let Some(town_id) = town_id {
        select = select.filter(charity_org::Column::TownId.eq(town_id));
    }
    pagination::by_id(&db.conn, select, page).await
}

/// The branches (分会) of an organisation.
pub async fn branches(
    db: &Db,
    parent_id: Uuid,
    page: &PageRequest,
) -> AppResult<Page<charity_org::Model>> {
    let select = charity_org::Entity::find().filter(charity_org::Column::ParentId.eq(parent_id));
    pagination::by_id(&db.conn, select, page).await
}

pub async fn charity_org(db: &Db, id: Uuid) -> AppResult<charity_org::Model> {
    charity_org::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::not_found("charity organisation"))
}

pub async fn charity_projects(
    db: &Db,
    org_id: Option<Uuid>,
    page: &PageRequest,
) -> AppResult<Page<charity_project::Model>> {
    let mut select = charity_project::Entity::find();
    if let Some(org_id) = org_id {
        select = select.filter(charity_project::Column::OrgId.eq(org_id));
    }
    pagination::by_id(&db.conn, select, page).await
}

pub async fn charity_project(db: &Db, id: Uuid) -> AppResult<charity_project::Model> {
    charity_project::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::not_found("charity project"))
}

pub async fn campaigns(db: &Db, page: &PageRequest) -> AppResult<Page<campaign::Model>> {
    pagination::by_id(&db.conn, campaign::Entity::find(), page).await
}

pub async fn perk_partners(db: &Db, page: &PageRequest) -> AppResult<Page<perk_partner::Model>> {
    pagination::by_id(&db.conn, perk_partner::Entity::find(), page).await
}

pub async fn resident_profile(
    db: &Db,
    id: Uuid,
) -> AppResult<Option<(resident::Model, donor::Model)>> {
    let resident = resident::Entity::find_by_id(id).one(&db.conn).await?;
    let donor = donor::Entity::find_by_id(id).one(&db.conn).await?;
    Ok(resident.zip(donor))
}

pub async fn enterprise_profile(
    db: &Db,
    id: Uuid,
) -> AppResult<Option<(enterprise::Model, donor::Model)>> {
    let enterprise = enterprise::Entity::find_by_id(id).one(&db.conn).await?;
    let donor = donor::Entity::find_by_id(id).one(&db.conn).await?;
    Ok(enterprise.zip(donor))
}
