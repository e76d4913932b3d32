//! The board, editions and ranking rules on the API, and the resident's privacy choices.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject, connection::PageInfo};
use chrono::{DateTime, Utc};

use super::{
    Boards, choices, editions,
    model::BoardSpec,
    reads::{self, Source},
    rule_book,
};
use crate::{
    auth::RoleGuard,
    catalog::Town,
    entities::{
        self,
        enums::{Board, NameStyle, Period, Role, Visibility},
    },
    graphql::{Connection, auth, connection, handle, load_by_id, parse_id, state, viewer},
    money::Fen,
    pagination::{PageRequest, encode_cursor},
};

/// One public line of a board: a rank, a name as the person allowed it, a total. Never an id.
pub struct LeaderboardEntry {
    board: Board,
    entry: reads::Entry,
}

#[Object]
impl LeaderboardEntry {
    /// Competition rank: equal totals share a rank and the next rank skips (1, 1, 3).
    async fn rank(&self) -> i32 {
        self.entry.rank as i32
    }
    /// The organisation's name; a resident's name or masked name (张*明) with their consent,
    /// otherwise 爱心人士; anonymous donations always 爱心人士.
    async fn display_name(&self) -> &str {
        &self.entry.display_name
    }
    /// Donations on the RESIDENTS and ORGANISATIONS boards.
    async fn amount(&self) -> Option<Fen> {
        (self.board != Board::VolunteerHours).then(|| Fen::new(self.entry.total))
    }
    /// Certified minutes on the VOLUNTEER_HOURS board.
    async fn minutes(&self) -> Option<i64> {
        (self.board == Board::VolunteerHours).then_some(self.entry.total)
    }
}

/// The viewer's own standing, including donations they gave anonymously (visible only to them).
pub struct MyRank {
    board: Board,
    rank: reads::MyRank,
}

#[Object]
impl MyRank {
    /// Null while nothing of the viewer's counts on this board.
    async fn rank(&self) -> Option<i32> {
        self.rank.rank.map(|r| r as i32)
    }
    async fn amount(&self) -> Option<Fen> {
        (self.board != Board::VolunteerHours).then(|| Fen::new(self.rank.total))
    }
    async fn minutes(&self) -> Option<i64> {
        (self.board == Board::VolunteerHours).then_some(self.rank.total)
    }
}

/// A live board of the 洞头慈善榜.
pub struct Leaderboard(reads::Leaderboard);

#[Object]
impl Leaderboard {
    async fn board(&self) -> Board {
        self.0.spec.board
    }
    async fn period(&self) -> Period {
        self.0.spec.period.period()
    }
    /// `2026-06`, `2026-Q2`, `2026` or `all` (Asia/Shanghai).
    async fn period_key(&self) -> &str {
        self.0.spec.period.key()
    }
    /// Null for the whole district.
    async fn town(&self, ctx: &Context<'_>) -> Result<Option<Town>> {
        town_of(ctx, self.0.spec.town).await
    }
    async fn entries(&self) -> Vec<LeaderboardEntry> {
        self.0
            .entries
            .iter()
            .cloned()
            .map(|entry| LeaderboardEntry {
                board: self.0.spec.board,
                entry,
            })
            .collect()
    }
    /// Where this page ends; pass `endCursor` as `after` for the next one. Offsets, not keys:
    /// a board that changes between two pages may repeat or skip an entry at the seam.
    async fn page_info(&self) -> PageInfo {
        let cursor = |i: usize| encode_cursor(&(self.0.offset + i).to_string());
        PageInfo {
            has_previous_page: self.0.offset > 0,
            has_next_page: self.0.has_next,
            start_cursor: (!self.0.entries.is_empty()).then(|| cursor(0)),
            end_cursor: self.0.entries.len().checked_sub(1).map(cursor),
        }
    }
    /// Entries on the whole board, shown or not.
    async fn entry_count(&self) -> i64 {
        self.0.entry_count as i64
    }
    /// Sum of the whole board (RESIDENTS, ORGANISATIONS).
    async fn total_amount(&self) -> Option<Fen> {
        (self.0.spec.board != Board::VolunteerHours).then(|| Fen::new(self.0.total))
    }
    /// Sum of the whole board (VOLUNTEER_HOURS).
    async fn total_minutes(&self) -> Option<i64> {
        (self.0.spec.board == Board::VolunteerHours).then_some(self.0.total)
    }
    /// The smallest total shown (the ranking rule's minimum to appear).
    async fn min_amount(&self) -> Option<Fen> {
        (self.0.spec.board != Board::VolunteerHours).then(|| Fen::new(self.0.min_total))
    }
    /// When the figures were last computed or changed.
    async fn computed_at(&self) -> DateTime<Utc> {
        self.0.computed_at
    }
    /// CACHE, or DATABASE when the cache is down, slow, flushed or still being rebuilt.
    async fn source(&self) -> Source {
        self.0.source
    }
    /// The logged-in resident's (RESIDENTS, VOLUNTEER_HOURS) or enterprise's (ORGANISATIONS)
    /// own rank and total, however far down; null for anyone else.
    async fn my_rank(&self) -> Option<MyRank> {
        self.0.my_rank.clone().map(|rank| MyRank {
            board: self.0.spec.board,
            rank,
        })
    }
}

async fn town_of(ctx: &Context<'_>, id: Option<uuid::Uuid>) -> Result<Option<Town>> {
    let Some(id) = id else {
        return Ok(None);
    };
    Ok(load_by_id::<entities::town::Entity>(ctx, id)
        .await?
        .map(Town))
}

/// A dated ranking rule: which donations count and the minimum to appear. Data, not code.
pub struct RankingRule(entities::ranking_rule::Model);

#[Object]
impl RankingRule {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn effective_from(&self) -> DateTime<Utc> {
        self.0.effective_from
    }
    /// Government matching funds (政府配比) do not count.
    async fn exclude_government_matching(&self) -> bool {
        self.0.exclude_government_matching
    }
    /// Transfers between charity organisations do not count.
    async fn exclude_charity_transfers(&self) -> bool {
        self.0.exclude_charity_transfers
    }
    /// An enterprise's branches count for their parent.
    async fn roll_up_branches(&self) -> bool {
        self.0.roll_up_branches
    }
    /// The total below which a donor does not appear.
    async fn min_amount(&self) -> Fen {
        Fen::new(self.0.min_amount_fen)
    }
}

#[derive(InputObject)]
pub struct RankingRuleInput {
    /// Now or later; the past keeps its rules.
    effective_from: DateTime<Utc>,
    exclude_government_matching: bool,
    exclude_charity_transfers: bool,
    roll_up_branches: bool,
    min_amount: Fen,
}

/// One line of a published edition, exactly as published.
#[derive(SimpleObject)]
pub struct EditionEntry {
    rank: i32,
    display_name: String,
    amount: Option<Fen>,
    minutes: Option<i64>,
}

fn edition_entry(board: Board, e: entities::ranking_edition_entry::Model) -> EditionEntry {
    EditionEntry {
        rank: e.rank,
        display_name: e.display_name,
        amount: (board != Board::VolunteerHours).then(|| Fen::new(e.total)),
        minutes: (board == Board::VolunteerHours).then_some(e.total),
    }
}

/// A published edition of the 洞头慈善榜: numbered, frozen, verifiable.
pub struct RankingEdition(entities::ranking_edition::Model);

#[Object]
impl RankingEdition {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn number(&self) -> i32 {
        self.0.number
    }
    async fn board(&self) -> Board {
        self.0.board
    }
    async fn period(&self) -> Period {
        self.0.period
    }
    async fn period_key(&self) -> &str {
        &self.0.period_key
    }
    async fn town(&self, ctx: &Context<'_>) -> Result<Option<Town>> {
        town_of(ctx, self.0.town_id).await
    }
    async fn published_at(&self) -> DateTime<Utc> {
        self.0.published_at
    }
    /// The ledger as it stood at this instant is what the edition shows.
    async fn as_of(&self) -> Result<DateTime<Utc>> {
        Ok(editions::basis(&self.0)?.as_of)
    }
    /// The rules it used, the instant it reflects and how the hash is computed (JSON).
    async fn rules_json(&self) -> &str {
        &self.0.rules_json
    }
    /// SHA-256 over the ledger rows it was computed from; see `verifyRankingEdition`.
    async fn ledger_hash(&self) -> &str {
        &self.0.ledger_hash
    }
    /// The edition this one corrects.
    async fn corrects(&self, ctx: &Context<'_>) -> Result<Option<RankingEdition>> {
        let Some(id) = self.0.corrects_edition_id else {
            return Ok(None);
        };
        Ok(editions::by_id(&state(ctx).db, id)
            .await?
            .map(RankingEdition))
    }
    /// Later editions that correct this one.
    async fn corrected_by(&self, ctx: &Context<'_>) -> Result<Vec<RankingEdition>> {
        Ok(editions::corrected_by(&state(ctx).db, self.0.id)
            .await?
            .into_iter()
            .map(RankingEdition)
            .collect())
    }
    async fn entries(&self, ctx: &Context<'_>) -> Result<Vec<EditionEntry>> {
        Ok(editions::entries(&state(ctx).db, &self.0)
            .await?
            .into_iter()
            .map(|e| edition_entry(self.0.board, e))
            .collect())
    }
}

/// An edition recomputed from the ledger.
#[derive(SimpleObject)]
pub struct EditionVerification {
    number: i32,
    ledger_hash: String,
    recomputed_hash: String,
    /// The ledger rows are exactly those the edition was computed from.
    hash_matches: bool,
    /// The published ranks and totals follow from those rows under the recorded rules.
    entries_match: bool,
}

/// How the resident now appears on public boards.
#[derive(SimpleObject)]
pub struct PublicNameChoice {
    consent: bool,
    name_style: NameStyle,
    /// Their name, masked name or 爱心人士.
    public_name: String,
}

/// A donation's public visibility after a change.
#[derive(SimpleObject)]
pub struct DonationVisibility {
    donation_id: ID,
    visibility: Visibility,
}

#[derive(Default)]
pub struct RankingsQuery;

#[Object]
impl RankingsQuery {
    /// A live board of the 洞头慈善榜. `periodKey` defaults to the current period; `town` is a
    /// town code (`BEIAO`), or none for the whole district; `first` up to 100 entries after
    /// the cursor `after` (`pageInfo.endCursor` of the page before).
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn leaderboard(
        &self,
        ctx: &Context<'_>,
        board: Board,
        period: Period,
        period_key: Option<String>,
        town: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Leaderboard> {
        let st = state(ctx);
        let page = PageRequest::parse(first, after.as_deref())?;
        let offset = page.after_offset()?;
        let spec: BoardSpec = reads::board_spec(
            &st.db,
            board,
            period,
            period_key.as_deref(),
            town.as_deref(),
        )
        .await?;
        let viewer = auth(ctx).viewer().ok();
        Ok(Leaderboard(
            reads::leaderboard(
                st,
                handle::<Boards>(ctx),
                viewer,
                spec,
                page.limit as usize,
                offset as usize,
            )
            .await?,
        ))
    }

    /// Published editions, newest first.
    #[graphql(complexity = "crate::graphql::page_cost(first, child_complexity)")]
    async fn ranking_editions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<RankingEdition>> {
        let page = PageRequest::parse(first, after.as_deref())?;
        let rows = editions::list(&state(ctx).db, &page).await?;
        Ok(connection(
            rows,
            &page,
            |m| m.id.to_string(),
            RankingEdition,
        ))
    }

    async fn ranking_edition(
        &self,
        ctx: &Context<'_>,
        number: i32,
    ) -> Result<Option<RankingEdition>> {
        Ok(editions::by_number(&state(ctx).db, number)
            .await?
            .map(RankingEdition))
    }

    /// Recompute an edition's ledger hash and lines from the ledger, for anyone to check.
    async fn verify_ranking_edition(
        &self,
        ctx: &Context<'_>,
        number: i32,
    ) -> Result<EditionVerification> {
        let v = editions::verify(&state(ctx).db, number).await?;
        Ok(EditionVerification {
            number: v.edition.number,
            ledger_hash: v.edition.ledger_hash,
            recomputed_hash: v.recomputed_hash,
            hash_matches: v.hash_matches,
            entries_match: v.entries_match,
        })
    }

    /// Every ranking rule, newest first.
    async fn ranking_rules(&self, ctx: &Context<'_>) -> Result<Vec<RankingRule>> {
        Ok(rule_book::ranking_rules(&state(ctx).db)
            .await?
            .into_iter()
            .map(RankingRule)
            .collect())
    }
}

#[derive(Default)]
pub struct RankingsMutation;

#[Object]
impl RankingsMutation {
    /// Publish a numbered, frozen edition of a board (ADMIN). A correction names the edition it
    /// corrects (same board, period and town).
    #[graphql(guard = "RoleGuard::new(&[Role::Admin])")]
    async fn publish_ranking_edition(
        &self,
        ctx: &Context<'_>,
        board: Board,
        period: Period,
        period_key: Option<String>,
        town: Option<String>,
        corrects_edition_id: Option<ID>,
    ) -> Result<RankingEdition> {
        let st = state(ctx);
        let spec = reads::board_spec(
            &st.db,
            board,
            period,
            period_key.as_deref(),
            town.as_deref(),
        )
        .await?;
        let corrects = corrects_edition_id
            .map(|id| parse_id("correctsEditionId", &id))
            .transpose()?;
        let edition =
            editions::publish(&st.db, handle::<Boards>(ctx), viewer(ctx)?, spec, corrects).await?;
        Ok(RankingEdition(edition))
    }

    /// Add a dated ranking rule (ADMIN).
    #[graphql(guard = "RoleGuard::new(&[Role::Admin])")]
    async fn create_ranking_rule(
        &self,
        ctx: &Context<'_>,
        input: RankingRuleInput,
    ) -> Result<RankingRule> {
        let rule = choices::create_ranking_rule(
            &state(ctx).db,
            handle::<Boards>(ctx),
            viewer(ctx)?,
            rule_book::NewRankingRule {
                effective_from: input.effective_from,
                exclude_government_matching: input.exclude_government_matching,
                exclude_charity_transfers: input.exclude_charity_transfers,
                roll_up_branches: input.roll_up_branches,
                min_amount: input.min_amount,
            },
        )
        .await?;
        Ok(RankingRule(rule))
    }

    /// Give or withdraw the separate consent to appear by name on public boards (RESIDENT).
    /// Withdrawing takes the name off the live boards at once; published editions keep what
    /// they showed.
    #[graphql(guard = "RoleGuard::new(&[Role::Resident])")]
    async fn set_public_name_consent(
        &self,
        ctx: &Context<'_>,
        consent: bool,
        name_style: Option<NameStyle>,
    ) -> Result<PublicNameChoice> {
        let choice = choices::set_public_name_consent(
            &state(ctx).db,
            handle::<Boards>(ctx),
            viewer(ctx)?,
            consent,
            name_style,
        )
        .await?;
        Ok(PublicNameChoice {
            consent: choice.consent,
            name_style: choice.style,
            public_name: choice.public_name,
        })
    }

    /// Choose how one of your own donations appears (RESIDENT or ENTERPRISE, owner only).
    /// ANONYMOUS keeps it on the boards as 爱心人士 and in your own total.
    #[graphql(guard = "RoleGuard::new(&[Role::Resident, Role::Enterprise])")]
    async fn set_donation_visibility(
        &self,
        ctx: &Context<'_>,
        donation_id: ID,
        visibility: Visibility,
    ) -> Result<DonationVisibility> {
        let id = parse_id("donationId", &donation_id)?;
        let d = choices::set_donation_visibility(
            &state(ctx).db,
            handle::<Boards>(ctx),
            viewer(ctx)?,
            id,
            visibility,
        )
        .await?;
        Ok(DonationVisibility {
            donation_id: ID(d.id.to_string()),
            visibility: d.visibility,
        })
    }
}
