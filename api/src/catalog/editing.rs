//! The directory's writes: the bureau creates and edits charity organisations and their
//! branches; charity staff create and edit their own organisation's projects and campaigns
//! (the bureau any organisation's, and the programme-wide campaigns).

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    db::Db,
    entities::{
        campaign, charity_org, charity_project,
        enums::{CharityOrgKind, ProjectStatus, Role},
    },
    error::{AppError, AppResult},
    money::Fen,
    text::{TextKind, optional, required},
};

/// A charity organisation as the bureau describes it.
pub struct OrgDraft {
    pub name: String,
    pub kind: CharityOrgKind,
    pub town_id: Option<Uuid>,
    /// Set exactly for a branch (分会): the organisation it belongs to.
    pub parent_id: Option<Uuid>,
    pub description: Option<String>,
    pub recognised: bool,
    pub runs_supermarket: bool,
}

fn require_admin(viewer: &Viewer) -> AppResult<()> {
    if viewer.is_admin() {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "only the civil-affairs bureau registers charity organisations",
        ))
    }
}

/// Checks a draft against the organisations there are: a unique name, and a branch under a
/// top-level organisation (never under a branch, never under itself).
async fn check_org(
    conn: &impl ConnectionTrait,
    draft: &OrgDraft,
    editing: Option<Uuid>,
) -> AppResult<String> {
    let name = required("name", &draft.name, TextKind::Name)?;
    let mut same_name = charity_org::Entity::find().filter(charity_org::Column::Name.eq(&name));
    if let Some(id) = editing {
        same_name = same_name.filter(charity_org::Column::Id.ne(id));
    }
    if same_name.count(conn).await? > 0 {
        return Err(AppError::bad_field(
            "name",
            "another charity organisation has this name; choose a distinct one",
        ));
    }
    match (draft.kind, draft.parent_id) {
        (CharityOrgKind::Branch, None) => {
            return Err(AppError::bad_field(
                "parentId",
                "a branch (BRANCH) names the organisation it belongs to in parentId",
            ));
        }
        (CharityOrgKind::Branch, Some(parent_id)) => {
            if editing == Some(parent_id) {
                return Err(AppError::bad_field(
                    "parentId",
                    "an organisation cannot be its own branch",
                ));
            }
            let parent = charity_org::Entity::find_by_id(parent_id)
                .one(conn)
                .await?
                .ok_or_else(|| {
                    AppError::bad_field("parentId", "no charity organisation has this id")
                })?;
            if parent.parent_id.is_some() {
                return Err(AppError::bad_field(
                    "parentId",
                    "a branch belongs to a top-level organisation, not to another branch",
                ));
            }
            if let Some(id) = editing {
                let branches = charity_org::Entity::find()
                    .filter(charity_org::Column::ParentId.eq(id))
                    .count(conn)
                    .await?;
                if branches > 0 {
                    return Err(AppError::bad_field(
                        "kind",
                        "this organisation has branches of its own, so it cannot become a branch",
                    ));
                }
            }
        }
        (_, Some(_)) => {
            return Err(AppError::bad_field(
                "parentId",
                "only a branch (kind BRANCH) has a parent organisation",
            ));
        }
        (_, None) => {}
    }
    Ok(name)
}

pub async fn create_org(
    db: &Db,
    viewer: &Viewer,
    draft: OrgDraft,
) -> AppResult<charity_org::Model> {
    require_admin(viewer)?;
    let description = optional(
        "description",
        draft.description.as_deref(),
        TextKind::Paragraphs,
    )?;
    let txn = db.begin_write().await?;
    let name = check_org(&*txn, &draft, None).await?;
    let org = charity_org::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name),
        kind: Set(draft.kind),
        town_id: Set(draft.town_id),
        recognised: Set(draft.recognised),
        runs_supermarket: Set(draft.runs_supermarket),
        description: Set(description.unwrap_or_default()),
        created_at: Set(Utc::now()),
        parent_id: Set(draft.parent_id),
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(org)
}

pub async fn update_org(
    db: &Db,
    viewer: &Viewer,
    id: Uuid,
    draft: OrgDraft,
) -> AppResult<charity_org::Model> {
    require_admin(viewer)?;
    let description = optional(
        "description",
        draft.description.as_deref(),
        TextKind::Paragraphs,
    )?;
    let txn = db.begin_write().await?;
    let current = charity_org::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or_else(|| AppError::bad_field("id", "no charity organisation has this id"))?;
    let name = check_org(&*txn, &draft, Some(id)).await?;
    let mut org: charity_org::ActiveModel = current.into();
    org.name = Set(name);
    org.kind = Set(draft.kind);
    org.town_id = Set(draft.town_id);
    org.parent_id = Set(draft.parent_id);
    org.description = Set(description.unwrap_or_default());
    org.recognised = Set(draft.recognised);
    org.runs_supermarket = Set(draft.runs_supermarket);
    let org = org.update(&*txn).await?;
    txn.commit().await?;
    Ok(org)
}

/// What projects and campaigns share: a goal and the days they run.
pub struct Plan {
    pub goal: Option<Fen>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
}

fn check_plan(plan: &Plan) -> AppResult<()> {
    if let Some(goal) = plan.goal
        && goal.get() <= 0
    {
        return Err(AppError::bad_field(
            "goal",
            "a goal is an amount above zero, e.g. \"50000.00\"; leave it out for none",
        ));
    }
    if let (Some(starts), Some(ends)) = (plan.starts_on, plan.ends_on)
        && ends < starts
    {
        return Err(AppError::bad_field(
            "endsOn",
            "endsOn is on or after startsOn",
        ));
    }
    Ok(())
}

/// The organisation a staff write is for: their own for ORG_STAFF (an `orgId` naming another
/// is refused), the named one for the bureau.
fn acting_org(viewer: &Viewer, org_id: Option<Uuid>) -> AppResult<Uuid> {
    match (viewer.role, org_id) {
        (Role::Admin, Some(id)) => Ok(id),
        (Role::Admin, None) => Err(AppError::bad_field(
            "orgId",
            "the bureau names the organisation in orgId",
        )),
        (Role::OrgStaff, requested) => {
            let own = viewer
                .org_id
                .ok_or_else(|| AppError::forbidden("this staff account has no organisation"))?;
            if requested.is_some_and(|r| r != own) {
                return Err(AppError::forbidden(
                    "you act for your own charity organisation only",
                ));
            }
            Ok(own)
        }
        _ => Err(AppError::forbidden(
            "only charity staff and the bureau manage projects and campaigns",
        )),
    }
}

async fn existing_org(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<()> {
    charity_org::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(|_| ())
        .ok_or_else(|| AppError::bad_field("orgId", "no charity organisation has this id"))
}

pub struct ProjectDraft {
    pub name: String,
    pub description: Option<String>,
    pub town_id: Option<Uuid>,
    pub plan: Plan,
    pub status: Option<ProjectStatus>,
}

pub async fn create_project(
    db: &Db,
    viewer: &Viewer,
    org_id: Option<Uuid>,
    draft: ProjectDraft,
) -> AppResult<charity_project::Model> {
    let org_id = acting_org(viewer, org_id)?;
    let name = required("name", &draft.name, TextKind::Title)?;
    let description = optional(
        "description",
        draft.description.as_deref(),
        TextKind::Paragraphs,
    )?;
    check_plan(&draft.plan)?;
    let txn = db.begin_write().await?;
    existing_org(&*txn, org_id).await?;
    let project = charity_project::ActiveModel {
        id: Set(Uuid::now_v7()),
        org_id: Set(org_id),
        name: Set(name),
        description: Set(description.unwrap_or_default()),
        town_id: Set(draft.town_id),
        status: Set(draft.status.unwrap_or(ProjectStatus::Active)),
        created_at: Set(Utc::now()),
        goal_fen: Set(draft.plan.goal.map(Fen::get)),
        starts_on: Set(draft.plan.starts_on),
        ends_on: Set(draft.plan.ends_on),
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(project)
}

pub async fn update_project(
    db: &Db,
    viewer: &Viewer,
    id: Uuid,
    draft: ProjectDraft,
) -> AppResult<charity_project::Model> {
    let name = required("name", &draft.name, TextKind::Title)?;
    let description = optional(
        "description",
        draft.description.as_deref(),
        TextKind::Paragraphs,
    )?;
    check_plan(&draft.plan)?;
    let txn = db.begin_write().await?;
    let current = charity_project::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or_else(|| AppError::bad_field("id", "no charity project has this id"))?;
    viewer.require_org(current.org_id)?;
    let mut project: charity_project::ActiveModel = current.into();
    project.name = Set(name);
    project.description = Set(description.unwrap_or_default());
    project.town_id = Set(draft.town_id);
    if let Some(status) = draft.status {
        project.status = Set(status);
    }
    project.goal_fen = Set(draft.plan.goal.map(Fen::get));
    project.starts_on = Set(draft.plan.starts_on);
    project.ends_on = Set(draft.plan.ends_on);
    let project = project.update(&*txn).await?;
    txn.commit().await?;
    Ok(project)
}

pub struct CampaignDraft {
    pub code: String,
    pub name: String,
    pub description: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub goal: Option<Fen>,
    pub status: Option<ProjectStatus>,
}

fn campaign_code(code: &str) -> AppResult<String> {
    let code = code.trim().to_ascii_uppercase();
    let well_formed = (2..=32).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if well_formed {
        Ok(code)
    } else {
        Err(AppError::bad_field(
            "code",
            "a campaign code is 2 to 32 letters, digits, '-' or '_', e.g. CHARITY_DAY_2027",
        ))
    }
}

fn check_campaign(draft: &CampaignDraft) -> AppResult<(String, String, Option<String>)> {
    let code = campaign_code(&draft.code)?;
    let name = required("name", &draft.name, TextKind::Title)?;
    let description = optional(
        "description",
        draft.description.as_deref(),
        TextKind::Paragraphs,
    )?;
    check_plan(&Plan {
        goal: draft.goal,
        starts_on: Some(draft.starts_on),
        ends_on: Some(draft.ends_on),
    })?;
    Ok((code, name, description))
}

const CODE_TAKEN: &str = "another campaign has this code; choose a distinct one";

pub async fn create_campaign(
    db: &Db,
    viewer: &Viewer,
    org_id: Option<Uuid>,
    draft: CampaignDraft,
) -> AppResult<campaign::Model> {
    // The bureau may run a programme-wide drive (no orgId); staff run their own org's.
    let org_id = match (viewer.role, org_id) {
        (Role::Admin, None) => None,
        _ => Some(acting_org(viewer, org_id)?),
    };
    let (code, name, description) = check_campaign(&draft)?;
    let txn = db.begin_write().await?;
    if let Some(org_id) = org_id {
        existing_org(&*txn, org_id).await?;
    }
    let campaign = campaign::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(code),
        name: Set(name),
        description: Set(description.unwrap_or_default()),
        starts_on: Set(draft.starts_on),
        ends_on: Set(draft.ends_on),
        created_at: Set(Utc::now()),
        org_id: Set(org_id),
        goal_fen: Set(draft.goal.map(Fen::get)),
        status: Set(draft.status.unwrap_or(ProjectStatus::Active)),
    }
    .insert(&*txn)
    .await
    .map_err(|e| match AppError::on_unique(e, CODE_TAKEN) {
        AppError::Conflict(m) => AppError::bad_field("code", m),
        other => other,
    })?;
    txn.commit().await?;
    Ok(campaign)
}

pub async fn update_campaign(
    db: &Db,
    viewer: &Viewer,
    id: Uuid,
    draft: CampaignDraft,
) -> AppResult<campaign::Model> {
    let (code, name, description) = check_campaign(&draft)?;
    let txn = db.begin_write().await?;
    let current = campaign::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or_else(|| AppError::bad_field("id", "no campaign has this id"))?;
    match current.org_id {
        Some(org_id) => viewer.require_org(org_id)?,
        None if viewer.is_admin() => {}
        None => {
            return Err(AppError::forbidden(
                "programme-wide campaigns are edited by the bureau",
            ));
        }
    }
    let mut campaign: campaign::ActiveModel = current.into();
    campaign.code = Set(code);
    campaign.name = Set(name);
    campaign.description = Set(description.unwrap_or_default());
    campaign.starts_on = Set(draft.starts_on);
    campaign.ends_on = Set(draft.ends_on);
    campaign.goal_fen = Set(draft.goal.map(Fen::get));
    if let Some(status) = draft.status {
        campaign.status = Set(status);
    }
    let campaign =
        campaign
            .update(&*txn)
            .await
            .map_err(|e| match AppError::on_unique(e, CODE_TAKEN) {
                AppError::Conflict(m) => AppError::bad_field("code", m),
                other => other,
            })?;
    txn.commit().await?;
    Ok(campaign)
}
