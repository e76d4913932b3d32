//! Public supervision (公众监督): questions on a project, a disbursement or a published ranking
//! edition, the answer, and the deadline for it.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{
    check, create_table_with_indexes, drop_tables, enumeration, enumeration_default_first, fk,
    index, pk_uuid,
};
use crate::m20261122_000001_places_and_orgs::{CharityOrgs, CharityProjects};
use crate::m20261122_000002_people_and_accounts::Accounts;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum SupervisionItems {
    Table,
    Id,
    SubjectKind,
    SubjectId,
    OrgId,
    ProjectId,
    AskedBy,
    Question,
    Answer,
    AnsweredBy,
    Status,
    ResponseDueAt,
    AnsweredAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table_with_indexes(
            manager,
            Table::create()
                .table(SupervisionItems::Table)
                .col(pk_uuid(SupervisionItems::Id))
                .col(enumeration(
                    SupervisionItems::SubjectKind,
                    &["PROJECT", "DISBURSEMENT", "EDITION"],
                ))
                // Points at a project, a disbursement or an edition, so it cannot be one key.
                .col(uuid(SupervisionItems::SubjectId))
                // Who must answer: the org, or none for an edition (the bureau answers).
                .col(uuid_null(SupervisionItems::OrgId))
                .col(uuid_null(SupervisionItems::ProjectId))
                .col(uuid(SupervisionItems::AskedBy))
                .col(text(SupervisionItems::Question))
                .col(text_null(SupervisionItems::Answer))
                .col(uuid_null(SupervisionItems::AnsweredBy))
                .col(enumeration_default_first(
                    SupervisionItems::Status,
                    &["OPEN", "ANSWERED"],
                ))
                .col(timestamp_with_time_zone(SupervisionItems::ResponseDueAt))
                .col(timestamp_with_time_zone_null(SupervisionItems::AnsweredAt))
                .col(timestamp_with_time_zone(SupervisionItems::CreatedAt))
                .check(check(
                    SupervisionItems::Table,
                    "answered",
                    Expr::col(SupervisionItems::Status).eq("OPEN").or(Expr::col(
                        SupervisionItems::Answer,
                    )
                    .is_not_null()
                    .and(Expr::col(SupervisionItems::AnsweredAt).is_not_null())
                    .and(Expr::col(SupervisionItems::AnsweredBy).is_not_null())),
                ))
                .foreign_key(&mut fk(
                    SupervisionItems::Table,
                    SupervisionItems::OrgId,
                    CharityOrgs::Table,
                ))
                .foreign_key(&mut fk(
                    SupervisionItems::Table,
                    SupervisionItems::ProjectId,
                    CharityProjects::Table,
                ))
                .foreign_key(&mut fk(
                    SupervisionItems::Table,
                    SupervisionItems::AskedBy,
                    Accounts::Table,
                ))
                .foreign_key(&mut fk(
                    SupervisionItems::Table,
                    SupervisionItems::AnsweredBy,
                    Accounts::Table,
                ))
                .take(),
            vec![
                index(
                    SupervisionItems::Table,
                    [SupervisionItems::SubjectKind, SupervisionItems::SubjectId],
                ),
                index(
                    SupervisionItems::Table,
                    [SupervisionItems::Status, SupervisionItems::ResponseDueAt],
                ),
                index(SupervisionItems::Table, [SupervisionItems::OrgId]),
                index(SupervisionItems::Table, [SupervisionItems::ProjectId]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [SupervisionItems::Table.into_iden()]).await
    }
}
