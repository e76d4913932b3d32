//! Idempotency records for mutations that move money, credits or hours, and the audit log.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{
    create_table_with_indexes, drop_tables, enumeration_null, fk, index, pk_uuid, unique,
};
use crate::m20261122_000002_people_and_accounts::{Accounts, ROLES};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum IdempotencyRecords {
    Table,
    Id,
    AccountId,
    Operation,
    IdemKey,
    RequestHash,
    ResponseJson,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AuditLog {
    Table,
    Id,
    At,
    AccountId,
    Role,
    OrgId,
    PartnerId,
    Action,
    Entity,
    EntityId,
    RequestId,
    BeforeJson,
    AfterJson,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table_with_indexes(
            manager,
            Table::create()
                .table(IdempotencyRecords::Table)
                .col(pk_uuid(IdempotencyRecords::Id))
                .col(uuid(IdempotencyRecords::AccountId))
                .col(string(IdempotencyRecords::Operation))
                .col(string(IdempotencyRecords::IdemKey))
                .col(string(IdempotencyRecords::RequestHash))
                .col(text(IdempotencyRecords::ResponseJson))
                .col(timestamp_with_time_zone(IdempotencyRecords::CreatedAt))
                .foreign_key(&mut fk(
                    IdempotencyRecords::Table,
                    IdempotencyRecords::AccountId,
                    Accounts::Table,
                ))
                .take(),
            vec![unique(
                IdempotencyRecords::Table,
                [
                    IdempotencyRecords::AccountId,
                    IdempotencyRecords::Operation,
                    IdempotencyRecords::IdemKey,
                ],
            )],
        )
        .await?;

        // The audit log keeps what was true when it was written (role, org, partner), so it
        // carries no foreign keys: nothing may ever block or rewrite an audit row.
        create_table_with_indexes(
            manager,
            Table::create()
                .table(AuditLog::Table)
                .col(pk_uuid(AuditLog::Id))
                .col(timestamp_with_time_zone(AuditLog::At))
                .col(uuid_null(AuditLog::AccountId))
                .col(enumeration_null(AuditLog::Role, ROLES))
                .col(uuid_null(AuditLog::OrgId))
                .col(uuid_null(AuditLog::PartnerId))
                .col(string(AuditLog::Action))
                .col(string(AuditLog::Entity))
                .col(uuid_null(AuditLog::EntityId))
                .col(string_null(AuditLog::RequestId))
                .col(text_null(AuditLog::BeforeJson))
                .col(text_null(AuditLog::AfterJson))
                .take(),
            vec![
                index(AuditLog::Table, [AuditLog::At]),
                index(AuditLog::Table, [AuditLog::Entity, AuditLog::EntityId]),
                index(AuditLog::Table, [AuditLog::AccountId]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            [
                AuditLog::Table.into_iden(),
                IdempotencyRecords::Table.into_iden(),
            ],
        )
        .await
    }
}
