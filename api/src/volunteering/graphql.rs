//! Volunteering's queries and mutations: thin resolvers over the services.

use std::{collections::HashMap, sync::Arc};

use async_graphql::{
    Context, Enum, ID, InputObject, Object, Result, SimpleObject,
    dataloader::{DataLoader, Loader},
};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{
    attendance, certificate, certification,
    model::{
        ActivityDraft, ActivityInput as ActivityFields, CODE_ROTATE_SECS, DISPUTE_WINDOW_DAYS,
        DisputeOutcome as Outcome, Punch, attended_minutes, default_minutes, length_minutes,
    },
    service::{self, ActivityFilter},
};
use crate::{
    accounts::Phone,
    audit::AuditHandoff,
    auth::{RoleGuard, Viewer},
    catalog::{CharityOrg, Town},
    entities::{
        self, activity,
        enums::{ActivityStatus, DisputeStatus, NoticeKind, Role, SignupStatus},
        hour_certification, notice, resident, signup,
    },
    error::AppError,
    graphql::{Connection, auth, connection, handle, load_by_id, parse_id, state, viewer},
    idempotency::IdempotencyKey,
    pagination::PageRequest,
    rankings::Boards,
};

fn hours_text(minutes: i32) -> String {
    certificate::hours_text(i64::from(minutes))
}

/// 志愿服务活动.
pub struct Activity {
    pub model: activity::Model,
}

impl Activity {
    pub fn plain(model: activity::Model) -> Self {
        Self { model }
    }
}

/// Residents' own sign-ups by (activity, resident), each with its certification: however an
/// Activity is reached (a list, a sign-up, a certification, a notice), `mySignup` costs one
/// batched query per request.
pub struct SignupsByActivity(crate::db::Db);

impl SignupsByActivity {
    pub fn new(db: crate::db::Db) -> Self {
        Self(db)
    }
}

impl Loader<(Uuid, Uuid)> for SignupsByActivity {
    type Value = service::SignupRow;
    type Error = Arc<String>;

    async fn load(
        &self,
        keys: &[(Uuid, Uuid)],
    ) -> Result<HashMap<(Uuid, Uuid), service::SignupRow>, Self::Error> {
        service::signups_of(&self.0, keys)
            .await
            .map_err(|e| Arc::new(e.message()))
    }
}

#[Object]
impl Activity {
    async fn id(&self) -> ID {
        ID(self.model.id.to_string())
    }
    async fn org(&self, ctx: &Context<'_>) -> Result<CharityOrg> {
        load_by_id::<entities::charity_org::Entity>(ctx, self.model.org_id)
            .await?
            .map(CharityOrg)
            .ok_or_else(|| AppError::not_found("charity organisation").into())
    }
    async fn title(&self) -> &str {
        &self.model.title
    }
    async fn description(&self) -> &str {
        &self.model.description
    }
    async fn town(&self, ctx: &Context<'_>) -> Result<Town> {
        load_by_id::<entities::town::Entity>(ctx, self.model.town_id)
            .await?
            .map(Town)
            .ok_or_else(|| AppError::not_found("town").into())
    }
    async fn place(&self) -> &str {
        &self.model.place
    }
    async fn starts_at(&self) -> DateTime<Utc> {
        self.model.starts_at
    }
    async fn ends_at(&self) -> DateTime<Utc> {
        self.model.ends_at
    }
    /// The most minutes anyone can have certified for it.
    async fn length_minutes(&self) -> i32 {
        length_minutes(self.model.starts_at, self.model.ends_at)
    }
    async fn capacity(&self) -> i32 {
        self.model.capacity
    }
    async fn signed_up(&self) -> i32 {
        self.model.signed_up
    }
    async fn places_left(&self) -> i32 {
        (self.model.capacity - self.model.signed_up).max(0)
    }
    async fn signup_deadline(&self) -> DateTime<Utc> {
        self.model.signup_deadline
    }
    /// Published, before the deadline, with a place free.
    async fn signup_open(&self) -> bool {
        self.model.status == ActivityStatus::Published
            && Utc::now() <= self.model.signup_deadline
            && self.model.signed_up < self.model.capacity
    }
    /// A published activity whose end has passed reads as FINISHED.
    async fn status(&self) -> ActivityStatus {
        service::effective_status(&self.model, Utc::now())
    }
    /// The viewing resident's own sign-up, if any; null for anyone else.
    async fn my_signup(&self, ctx: &Context<'_>) -> Result<Option<Signup>> {
        let Some(resident_id) = resident_viewer(ctx).and_then(|v| v.donor_id) else {
            return Ok(None);
        };
        let row = ctx
            .data::<DataLoader<SignupsByActivity>>()?
            .load_one((self.model.id, resident_id))
            .await
            .map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))?;
        Ok(row.map(|(s, c)| Signup(s, c)))
    }
    /// Who signed up: the org's staff and ADMIN only.
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn participants(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<Participant>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let rows =
            service::participants(&state(ctx).db, viewer(ctx)?, self.model.id, &page).await?;
        let a = self.model.clone();
        Ok(connection(
            rows,
            &page,
            |(s, _, _)| s.id.to_string(),
            |(s, r, c)| Participant {
                activity: a.clone(),
                signup: s,
                resident: r,
                certification: c,
            },
        ))
    }
}

/// A resident's own sign-up (报名), with check-in, check-out and certified hours.
pub struct Signup(pub signup::Model, pub Option<hour_certification::Model>);

#[Object]
impl Signup {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn activity(&self, ctx: &Context<'_>) -> Result<Activity> {
        load_by_id::<activity::Entity>(ctx, self.0.activity_id)
            .await?
            .map(Activity::plain)
            .ok_or_else(|| AppError::not_found("activity").into())
    }
    async fn status(&self) -> SignupStatus {
        self.0.status
    }
    async fn signed_up_at(&self) -> DateTime<Utc> {
        self.0.signed_up_at
    }
    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.0.cancelled_at
    }
    /// The time signed into the code, or entered by staff; never when it reached the server.
    async fn checked_in_at(&self) -> Option<DateTime<Utc>> {
        self.0.checked_in_at
    }
    async fn checked_out_at(&self) -> Option<DateTime<Utc>> {
        self.0.checked_out_at
    }
    async fn certification(&self) -> Option<HourCertification> {
        self.1.clone().map(HourCertification)
    }
}

/// A volunteer as the organiser sees them: the name, the phone masked.
pub struct Participant {
    activity: activity::Model,
    signup: signup::Model,
    resident: resident::Model,
    certification: Option<hour_certification::Model>,
}

#[Object]
impl Participant {
    async fn signup_id(&self) -> ID {
        ID(self.signup.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.resident.name
    }
    async fn phone_masked(&self) -> String {
        Phone::parse(&self.resident.phone)
            .map(|p| p.masked())
            .unwrap_or_default()
    }
    async fn status(&self) -> SignupStatus {
        self.signup.status
    }
    async fn checked_in_at(&self) -> Option<DateTime<Utc>> {
        self.signup.checked_in_at
    }
    async fn checked_out_at(&self) -> Option<DateTime<Utc>> {
        self.signup.checked_out_at
    }
    /// Attended time inside the activity's window.
    async fn attended_minutes(&self) -> i32 {
        attended_minutes(
            self.activity.starts_at,
            self.activity.ends_at,
            self.signup.checked_in_at,
            self.signup.checked_out_at,
        )
    }
    /// What certification proposes: attended time rounded down to the half hour.
    async fn default_minutes(&self) -> i32 {
        default_minutes(attended_minutes(
            self.activity.starts_at,
            self.activity.ends_at,
            self.signup.checked_in_at,
            self.signup.checked_out_at,
        ))
    }
    async fn certification(&self) -> Option<HourCertification> {
        self.certification.clone().map(HourCertification)
    }
}

/// 时长认证: the minutes certified for one sign-up, and any dispute.
pub struct HourCertification(pub hour_certification::Model);

#[Object]
impl HourCertification {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn activity(&self, ctx: &Context<'_>) -> Result<Activity> {
        load_by_id::<activity::Entity>(ctx, self.0.activity_id)
            .await?
            .map(Activity::plain)
            .ok_or_else(|| AppError::not_found("activity").into())
    }
    /// Only the resident, their organiser and ADMIN ever reach a certification.
    async fn resident_name(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(load_by_id::<resident::Entity>(ctx, self.0.resident_id)
            .await?
            .map(|r| r.name)
            .unwrap_or_default())
    }
    async fn minutes(&self) -> i32 {
        self.0.minutes
    }
    /// The minutes as hours with one decimal, e.g. "2.5".
    async fn hours(&self) -> String {
        hours_text(self.0.minutes)
    }
    async fn default_minutes(&self) -> i32 {
        self.0.default_minutes
    }
    /// Why the organiser departed from the default.
    async fn change_reason(&self) -> Option<&str> {
        self.0.change_reason.as_deref()
    }
    /// VOLUNTEER credits these hours earned (after any upheld dispute).
    async fn credits_awarded(&self) -> i64 {
        self.0.credits_awarded
    }
    async fn certified_at(&self) -> DateTime<Utc> {
        self.0.certified_at
    }
    /// The resident may dispute until then.
    async fn dispute_deadline(&self) -> DateTime<Utc> {
        self.0.certified_at + chrono::TimeDelta::days(DISPUTE_WINDOW_DAYS)
    }
    async fn dispute_status(&self) -> DisputeStatus {
        self.0.dispute_status
    }
    async fn dispute_reason(&self) -> Option<&str> {
        self.0.dispute_reason.as_deref()
    }
    async fn dispute_resolution(&self) -> Option<&str> {
        self.0.dispute_resolution.as_deref()
    }
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.resolved_at
    }
}

/// A message to a resident in the app, e.g. that an activity was cancelled.
pub struct Notice(pub notice::Model);

#[Object]
impl Notice {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn kind(&self) -> NoticeKind {
        self.0.kind
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn activity(&self, ctx: &Context<'_>) -> Result<Option<Activity>> {
        let Some(id) = self.0.activity_id else {
            return Ok(None);
        };
        Ok(load_by_id::<activity::Entity>(ctx, id)
            .await?
            .map(Activity::plain))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn read_at(&self) -> Option<DateTime<Utc>> {
        self.0.read_at
    }
}

/// A check-in code for the staff screen. Show `qrPayload` as a QR code and fetch a new one
/// every `refreshAfterSecs`; a phone may submit a scanned code until `submitBefore`, and it
/// counts at `issuedAt`.
#[derive(SimpleObject)]
pub struct CheckinCode {
    qr_payload: String,
    /// Six characters to type instead of scanning (`checkIn` takes either). It changes every
    /// five minutes; a typed code is accepted for 24 hours, dated by when it was shown. Wrong
    /// typed codes are limited per account (RATE_LIMITED after a few).
    short_code: String,
    /// When `shortCode` changes.
    short_code_changes_at: DateTime<Utc>,
    activity_id: ID,
    issued_at: DateTime<Utc>,
    submit_before: DateTime<Utc>,
    refresh_after_secs: i64,
}

#[derive(SimpleObject)]
pub struct CertificateLine {
    on: NaiveDate,
    title: String,
    org_name: String,
    minutes: i32,
    hours: String,
}

/// 志愿服务时长证明. `html` is a complete page fit to print: the app opens it in a new
/// window (or an iframe's `srcdoc`) and prints it; no token ever travels in a URL.
#[derive(SimpleObject)]
pub struct VolunteerCertificate {
    resident_name: String,
    total_minutes: i64,
    total_hours: String,
    lines: Vec<CertificateLine>,
    issued_at: DateTime<Utc>,
    /// The verification code printed on it.
    reference: ID,
    /// Where anyone checks it: `/verify/certificate/<code>` on the public address.
    verify_url: String,
    html: String,
}

/// What a certificate's code verifies.
#[derive(SimpleObject)]
pub struct CertificateVerification {
    /// Masked (张*明).
    resident_name: String,
    total_minutes: i64,
    total_hours: String,
    activity_count: i32,
    issued_at: DateTime<Utc>,
    /// The resident's certified hours today are still what the certificate states (false
    /// after a later certification or a dispute's outcome: a newer certificate exists).
    still_current: bool,
}

impl From<certificate::Certificate> for VolunteerCertificate {
    fn from(c: certificate::Certificate) -> Self {
        Self {
            html: c.html(),
            resident_name: c.resident_name,
            total_minutes: c.total_minutes,
            total_hours: certificate::hours_text(c.total_minutes),
            lines: c
                .lines
                .into_iter()
                .map(|l| CertificateLine {
                    on: l.on,
                    hours: hours_text(l.minutes),
                    title: l.title,
                    org_name: l.org_name,
                    minutes: l.minutes,
                })
                .collect(),
            issued_at: c.issued_at,
            reference: ID(c.reference),
            verify_url: c.verify_url,
        }
    }
}

#[derive(InputObject)]
pub struct ActivityInput {
    title: String,
    #[graphql(default)]
    description: String,
    /// A town code such as `BEIAO`.
    town_code: String,
    place: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    capacity: i32,
    /// At the latest the start.
    signup_deadline: DateTime<Utc>,
}

impl ActivityInput {
    fn parse(self) -> Result<ActivityDraft, AppError> {
        ActivityDraft::parse(ActivityFields {
            title: self.title,
            description: self.description,
            town_code: self.town_code,
            place: self.place,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            capacity: self.capacity,
            signup_deadline: self.signup_deadline,
        })
    }
}

/// A participant certified other than by default.
#[derive(InputObject)]
pub struct CertificationOverride {
    signup_id: ID,
    minutes: i32,
    /// Required when `minutes` differs from the default.
    reason: Option<String>,
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum DisputeOutcome {
    /// The resident is right: set the corrected minutes; credits follow.
    Upheld,
    /// The certification stands.
    Rejected,
}

impl From<DisputeOutcome> for Outcome {
    fn from(o: DisputeOutcome) -> Self {
        match o {
            DisputeOutcome::Upheld => Outcome::Upheld,
            DisputeOutcome::Rejected => Outcome::Rejected,
        }
    }
}

fn key(text: &str) -> Result<IdempotencyKey, AppError> {
    IdempotencyKey::parse(text)
}

fn resident_viewer<'a>(ctx: &Context<'a>) -> Option<&'a Viewer> {
    auth(ctx)
        .viewer()
        .ok()
        .filter(|v| v.role == Role::Resident && v.donor_id.is_some())
}

#[derive(Default)]
pub struct VolunteeringQuery;

#[Object]
impl VolunteeringQuery {
    /// Published activities in date order: still running or later (or from `from`), up to
    /// `to`, in a town, of an org, or only those with a free place and open sign-up.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        town: Option<String>,
        org_id: Option<ID>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        only_open: Option<bool>,
    ) -> Result<Connection<Activity>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let filter = ActivityFilter {
            town_code: town,
            org_id: org_id.map(|id| parse_id("orgId", &id)).transpose()?,
            from,
            to,
            only_open: only_open.unwrap_or(false),
        };
        let rows = service::browse(&state(ctx).db, &filter, &page).await?;
        Ok(connection(
            rows,
            &page,
            service::date_cursor,
            Activity::plain,
        ))
    }

    async fn activity(&self, ctx: &Context<'_>, id: ID) -> Result<Activity> {
        let id = parse_id("id", &id)?;
        let db = &state(ctx).db;
        let v = auth(ctx).viewer().ok();
        Ok(Activity::plain(service::activity_for(db, v, id).await?))
    }

    /// An org's own activities, drafts included, newest first (staff default to their org).
    #[graphql(
        guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])",
        complexity = "crate::graphql::page_cost(first, child_complexity)"
    )]
    async fn org_activities(
        &self,
        ctx: &Context<'_>,
        org_id: Option<ID>,
        status: Option<ActivityStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<Activity>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let org_id = org_id.map(|id| parse_id("orgId", &id)).transpose()?;
        let rows =
            service::org_activities(&state(ctx).db, viewer(ctx)?, org_id, status, &page).await?;
        Ok(connection(
            rows,
            &page,
            |m| m.id.to_string(),
            Activity::plain,
        ))
    }

    /// A fresh signed check-in code for the staff screen.
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn checkin_code(&self, ctx: &Context<'_>, activity_id: ID) -> Result<CheckinCode> {
        let id = parse_id("activityId", &activity_id)?;
        let issued = attendance::issue_code(&state(ctx).db, viewer(ctx)?, id, Utc::now()).await?;
        Ok(CheckinCode {
            qr_payload: issued.payload,
            short_code: issued.short_code.as_str().to_owned(),
            short_code_changes_at: issued.short_code_until,
            activity_id: ID(issued.code.activity_id.to_string()),
            issued_at: issued.code.issued_at,
            submit_before: issued.code.expires_at,
            refresh_after_secs: CODE_ROTATE_SECS,
        })
    }

    /// The logged-in resident's sign-ups, newest first.
    #[graphql(
        guard = "RoleGuard::new(&[Role::Resident])",
        complexity = "crate::graphql::page_cost(first, child_complexity)"
    )]
    async fn my_signups(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<Signup>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let resident_id = service::resident_of(viewer(ctx)?)?;
        let rows = service::my_signups(&state(ctx).db, resident_id, &page).await?;
        Ok(connection(
            rows,
            &page,
            |(s, _)| s.id.to_string(),
            |(s, c)| Signup(s, c),
        ))
    }

    /// The logged-in account's notices, newest first.
    #[graphql(
        guard = "RoleGuard::any()",
        complexity = "crate::graphql::page_cost(first, child_complexity)"
    )]
    async fn my_notices(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        unread_only: Option<bool>,
    ) -> Result<Connection<Notice>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let rows = service::my_notices(
            &state(ctx).db,
            viewer(ctx)?,
            unread_only.unwrap_or(false),
            &page,
        )
        .await?;
        Ok(connection(rows, &page, |m| m.id.to_string(), Notice))
    }

    /// Check a 志愿服务时长证明 by the code printed on it. Public; the name is masked.
    async fn verify_volunteer_certificate(
        &self,
        ctx: &Context<'_>,
        code: String,
    ) -> Result<Option<CertificateVerification>> {
        Ok(certificate::verify(&state(ctx).db, &code)
            .await?
            .map(|v| CertificateVerification {
                resident_name: v.resident_name,
                total_hours: certificate::hours_text(v.certificate.total_minutes),
                total_minutes: v.certificate.total_minutes,
                activity_count: v.certificate.activity_count,
                issued_at: v.certificate.issued_at,
                still_current: v.still_current,
            }))
    }

    /// The logged-in resident's certificate of volunteer hours, as data and a printable page.
    #[graphql(guard = "RoleGuard::new(&[Role::Resident])")]
    async fn my_volunteer_certificate(&self, ctx: &Context<'_>) -> Result<VolunteerCertificate> {
        let resident_id = service::resident_of(viewer(ctx)?)?;
        Ok(certificate::for_resident(
            &state(ctx).db,
            resident_id,
            &state(ctx).settings.public_url(),
        )
        .await?
        .into())
    }

    /// Any resident's certificate, for the district administration.
    #[graphql(guard = "RoleGuard::new(&[Role::Admin])")]
    async fn volunteer_certificate(
        &self,
        ctx: &Context<'_>,
        resident_id: ID,
    ) -> Result<VolunteerCertificate> {
        let id = parse_id("residentId", &resident_id)?;
        Ok(
            certificate::for_resident(&state(ctx).db, id, &state(ctx).settings.public_url())
                .await?
                .into(),
        )
    }

    /// Disputed hours for ADMIN, oldest first; open ones unless `status` says otherwise.
    #[graphql(
        guard = "RoleGuard::new(&[Role::Admin])",
        complexity = "crate::graphql::page_cost(first, child_complexity)"
    )]
    async fn hour_disputes(
        &self,
        ctx: &Context<'_>,
        status: Option<DisputeStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<HourCertification>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let rows =
            certification::disputes(&state(ctx).db, status.unwrap_or(DisputeStatus::Open), &page)
                .await?;
        Ok(connection(
            rows,
            &page,
            |m| m.id.to_string(),
            HourCertification,
        ))
    }
}

#[derive(Default)]
pub struct VolunteeringMutation;

#[Object]
impl VolunteeringMutation {
    /// A new DRAFT activity (staff: for their org; ADMIN: give `orgId`).
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn create_activity(
        &self,
        ctx: &Context<'_>,
        input: ActivityInput,
        org_id: Option<ID>,
    ) -> Result<Activity> {
        let org_id = org_id.map(|id| parse_id("orgId", &id)).transpose()?;
        let draft = input.parse()?;
        let a = service::create(&state(ctx).db, viewer(ctx)?, org_id, draft).await?;
        Ok(Activity::plain(a))
    }

    /// Replace an activity's details before it starts.
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn update_activity(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: ActivityInput,
    ) -> Result<Activity> {
        let id = parse_id("id", &id)?;
        let draft = input.parse()?;
        let a = service::update(&state(ctx).db, viewer(ctx)?, id, draft).await?;
        Ok(Activity::plain(a))
    }

    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn publish_activity(&self, ctx: &Context<'_>, id: ID) -> Result<Activity> {
        let id = parse_id("id", &id)?;
        let a = service::publish(&state(ctx).db, viewer(ctx)?, id).await?;
        Ok(Activity::plain(a))
    }

    /// Cancel an activity; every signed-up volunteer gets a notice with the reason.
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn cancel_activity(&self, ctx: &Context<'_>, id: ID, reason: String) -> Result<Activity> {
        let id = parse_id("id", &id)?;
        let reason = super::model::reason("reason", &reason)?;
        let a = service::cancel(&state(ctx).db, viewer(ctx)?, id, reason).await?;
        Ok(Activity::plain(a))
    }

    /// Take a place. CONFLICT when none is left or sign-up has closed.
    #[graphql(guard = "RoleGuard::new(&[Role::Resident])")]
    async fn sign_up(&self, ctx: &Context<'_>, activity_id: ID) -> Result<Signup> {
        let id = parse_id("activityId", &activity_id)?;
        let s = service::sign_up(&state(ctx).db, viewer(ctx)?, id).await?;
        Ok(Signup(s, None))
    }

    /// Give the place back before the activity starts.
    #[graphql(guard = "RoleGuard::new(&[Role::Resident])")]
    async fn cancel_signup(&self, ctx: &Context<'_>, activity_id: ID) -> Result<Signup> {
        let id = parse_id("activityId", &activity_id)?;
        let s = service::cancel_signup(&state(ctx).db, viewer(ctx)?, id).await?;
        Ok(Signup(s, None))
    }

    /// Submit a scanned check-in code or a typed `shortCode` (up to 24 h after it was shown;
    /// it counts at the time it was shown). A second check-in is a no-op.
    #[graphql(guard = "RoleGuard::new(&[Role::Resident])")]
    async fn check_in(
        &self,
        ctx: &Context<'_>,
        code: String,
        activity_id: Option<ID>,
    ) -> Result<Signup> {
        punch_with_code(ctx, code, activity_id, Punch::In).await
    }

    /// Submit a scanned code to check out; like `checkIn`.
    #[graphql(guard = "RoleGuard::new(&[Role::Resident])")]
    async fn check_out(
        &self,
        ctx: &Context<'_>,
        code: String,
        activity_id: Option<ID>,
    ) -> Result<Signup> {
        punch_with_code(ctx, code, activity_id, Punch::Out).await
    }

    /// Staff check a signed-up resident in by phone, at `at` (default now).
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn check_in_by_phone(
        &self,
        ctx: &Context<'_>,
        activity_id: ID,
        phone: String,
        at: Option<DateTime<Utc>>,
    ) -> Result<Signup> {
        punch_by_phone(ctx, activity_id, phone, at, Punch::In).await
    }

    /// Staff check a resident out by phone, at `at` (default now).
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn check_out_by_phone(
        &self,
        ctx: &Context<'_>,
        activity_id: ID,
        phone: String,
        at: Option<DateTime<Utc>>,
    ) -> Result<Signup> {
        punch_by_phone(ctx, activity_id, phone, at, Punch::Out).await
    }

    /// Certify one participant's minutes after the activity (default: attended time rounded
    /// down to the half hour; any other figure needs a reason). Earns VOLUNTEER credits.
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn certify_hours(
        &self,
        ctx: &Context<'_>,
        signup_id: ID,
        minutes: Option<i32>,
        reason: Option<String>,
        idempotency_key: String,
    ) -> Result<HourCertification> {
        let request = certification::CertifyRequest {
            signup_id: parse_id("signupId", &signup_id)?,
            minutes,
            reason,
        };
        let (c, freshness) = certification::certify(
            &state(ctx).db,
            handle::<Boards>(ctx),
            viewer(ctx)?,
            &key(&idempotency_key)?,
            request,
            Utc::now(),
        )
        .await?;
        AuditHandoff::note(ctx, freshness);
        Ok(HourCertification(c))
    }

    /// Certify every checked-in, not yet certified participant at once: defaults except
    /// `overrides`; all or nothing. Returns the certifications made.
    #[graphql(guard = "RoleGuard::new(&[Role::OrgStaff, Role::Admin])")]
    async fn certify_activity(
        &self,
        ctx: &Context<'_>,
        activity_id: ID,
        #[graphql(default)] overrides: Vec<CertificationOverride>,
        idempotency_key: String,
    ) -> Result<Vec<HourCertification>> {
        let id = parse_id("activityId", &activity_id)?;
        let overrides = overrides
            .into_iter()
            .map(|o| {
                Ok(certification::CertifyRequest {
                    signup_id: parse_id("overrides", &o.signup_id)?,
                    minutes: Some(o.minutes),
                    reason: o.reason,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        let (certs, freshness) = certification::certify_activity(
            &state(ctx).db,
            handle::<Boards>(ctx),
            viewer(ctx)?,
            &key(&idempotency_key)?,
            id,
            overrides,
            Utc::now(),
        )
        .await?;
        AuditHandoff::note(ctx, freshness);
        Ok(certs.into_iter().map(HourCertification).collect())
    }

    /// The resident disputes their certified hours, within 7 days.
    #[graphql(guard = "RoleGuard::new(&[Role::Resident])")]
    async fn dispute_certification(
        &self,
        ctx: &Context<'_>,
        certification_id: ID,
        reason: String,
    ) -> Result<HourCertification> {
        let id = parse_id("certificationId", &certification_id)?;
        let c =
            certification::dispute(&state(ctx).db, viewer(ctx)?, id, &reason, Utc::now()).await?;
        Ok(HourCertification(c))
    }

    /// ADMIN resolves a dispute: UPHELD with the corrected minutes (credits follow with an
    /// ADJUSTMENT entry), or REJECTED.
    #[graphql(guard = "RoleGuard::new(&[Role::Admin])")]
    async fn resolve_hour_dispute(
        &self,
        ctx: &Context<'_>,
        certification_id: ID,
        outcome: DisputeOutcome,
        minutes: Option<i32>,
        resolution: String,
        idempotency_key: String,
    ) -> Result<HourCertification> {
        let id = parse_id("certificationId", &certification_id)?;
        let (c, freshness) = certification::resolve(
            &state(ctx).db,
            handle::<Boards>(ctx),
            viewer(ctx)?,
            &key(&idempotency_key)?,
            id,
            outcome.into(),
            minutes,
            &resolution,
            Utc::now(),
        )
        .await?;
        AuditHandoff::note(ctx, freshness);
        Ok(HourCertification(c))
    }

    #[graphql(guard = "RoleGuard::any()")]
    async fn mark_notice_read(&self, ctx: &Context<'_>, id: ID) -> Result<Notice> {
        let id = parse_id("id", &id)?;
        Ok(Notice(
            service::mark_notice_read(&state(ctx).db, viewer(ctx)?, id).await?,
        ))
    }
}

/// Check-in and check-out by a scanned code are one action in two directions.
async fn punch_with_code(
    ctx: &Context<'_>,
    code: String,
    activity_id: Option<ID>,
    punch: Punch,
) -> Result<Signup> {
    let expected = activity_id
        .map(|id| parse_id("activityId", &id))
        .transpose()?;
    let app = state(ctx);
    let s = attendance::punch_with_code(
        &app.db,
        &app.cache,
        viewer(ctx)?,
        &code,
        expected,
        punch,
        Utc::now(),
    )
    .await?;
    Ok(Signup(s, None))
}

/// Staff checking a resident in or out by phone, at `at` (default now).
async fn punch_by_phone(
    ctx: &Context<'_>,
    activity_id: ID,
    phone: String,
    at: Option<DateTime<Utc>>,
    punch: Punch,
) -> Result<Signup> {
    let id = parse_id("activityId", &activity_id)?;
    let s = attendance::punch_by_phone(
        &state(ctx).db,
        viewer(ctx)?,
        id,
        &phone,
        at,
        punch,
        Utc::now(),
    )
    .await?;
    Ok(Signup(s, None))
}
