//! Reading donations: one by id, the lists staff, the bureau and donors see, a receipt by its
//! code, and who gave. Transparency and the resident's own view read through here.

use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    db::Db,
    entities::{donation, donor, enterprise, enums::DonationStatus},
    error::{AppError, AppResult},
};

/// One donation by id.
pub async fn find(db: &Db, id: Uuid) -> AppResult<donation::Model> {
    donation::Entity::find_by_id(id)
        .one(&db.conn)
        .await?
        .ok_or_else(|| AppError::not_found("donation"))
}

/// Enterprises by exact name, for imports and seeds.
pub async fn enterprise_by_name(
    conn: &impl ConnectionTrait,
    name: &str,
) -> AppResult<Option<enterprise::Model>> {
    Ok(enterprise::Entity::find()
        .filter(enterprise::Column::Name.eq(name.trim()))
        .one(conn)
        .await?)
}

/// Filters for the staff and admin donation list.
#[derive(Clone, Debug, Default)]
pub struct DonationFilter {
    pub org_id: Option<Uuid>,
    pub donor_id: Option<Uuid>,
    pub status: Option<DonationStatus>,
    pub from: Option<chrono::DateTime<Utc>>,
    pub to: Option<chrono::DateTime<Utc>>,
}

/// Newest first. Staff see only their own org's donations; ADMIN any; a donor only their own.
pub async fn list(
    db: &Db,
    viewer: &Viewer,
    mut filter: DonationFilter,
    page: &crate::pagination::PageRequest,
) -> AppResult<crate::pagination::Page<donation::Model>> {
    match viewer.role {
        crate::entities::enums::Role::Admin => {}
        crate::entities::enums::Role::OrgStaff => {
            let own = viewer.org_id.ok_or_else(|| AppError::forbidden("no org"))?;
            if filter.org_id.is_some_and(|o| o != own) {
                return Err(AppError::forbidden(
                    "not allowed to see another organisation's donations",
                ));
            }
            filter.org_id = Some(own);
        }
        _ => filter.donor_id = Some(viewer.require_donor()?),
    }
    let mut select = donation::Entity::find();
    if let Some(org_id) = filter.org_id {
        select = select.filter(donation::Column::OrgId.eq(org_id));
    }
    if let Some(donor_id) = filter.donor_id {
        select = select.filter(donation::Column::DonorId.eq(donor_id));
    }
    if let Some(status) = filter.status {
        select = select.filter(donation::Column::Status.eq(status));
    }
    if let Some(from) = filter.from {
        select = select.filter(donation::Column::DonatedAt.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(donation::Column::DonatedAt.lt(to));
    }
    crate::pagination::by_id_desc(&db.conn, select, page).await
}

/// A donation the viewer may see: its org's staff, ADMIN, or the donor.
pub async fn find_visible(db: &Db, viewer: &Viewer, id: Uuid) -> AppResult<donation::Model> {
    let d = find(db, id).await?;
    let own = d.donor_id.is_some() && viewer.donor_id == d.donor_id;
    if !own {
        viewer
            .require_org(d.org_id)
            .map_err(|_| AppError::not_found("donation"))?;
    }
    Ok(d)
}

/// Anyone may check a receipt's code; the answer carries no personal data.
pub async fn find_by_verification_code(db: &Db, code: &str) -> AppResult<Option<donation::Model>> {
    let code = code.trim().to_ascii_uppercase();
    if code.len() != 12 {
        return Ok(None);
    }
    Ok(donation::Entity::find()
        .filter(donation::Column::VerificationCode.eq(code))
        .one(&db.conn)
        .await?)
}

/// Who gave, as the donor's own records and the receiving org's staff see it.
pub async fn donor_label(db: &Db, d: &donation::Model) -> AppResult<String> {
    let Some(donor_id) = d.donor_id else {
        return Ok(d.walk_in_name.clone().unwrap_or_else(|| "爱心人士".into()));
    };
    Ok(donor::Entity::find_by_id(donor_id)
        .one(&db.conn)
        .await?
        .map(|d| d.display_name)
        .unwrap_or_default())
}
