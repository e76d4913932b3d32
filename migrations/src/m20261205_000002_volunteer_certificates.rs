//! 志愿服务时长证明 as issued: a frozen total with a code anyone can check, like the yearly
//! statements. Issuing again with unchanged hours gives the same certificate back.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{check, create_table_with_indexes, drop_tables, fk, index, pk_uuid, unique};
use crate::m20261122_000002_people_and_accounts::Residents;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum VolunteerCertificates {
    Table,
    Id,
    ResidentId,
    TotalMinutes,
    ActivityCount,
    VerificationCode,
    IssuedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_table_with_indexes(
            manager,
            Table::create()
                .table(VolunteerCertificates::Table)
                .col(pk_uuid(VolunteerCertificates::Id))
                .col(uuid(VolunteerCertificates::ResidentId))
                .col(big_integer(VolunteerCertificates::TotalMinutes))
                .col(integer(VolunteerCertificates::ActivityCount))
                .col(string(VolunteerCertificates::VerificationCode))
                .col(timestamp_with_time_zone(VolunteerCertificates::IssuedAt))
                .check(check(
                    VolunteerCertificates::Table,
                    "total_minutes",
                    Expr::col(VolunteerCertificates::TotalMinutes).gte(0),
                ))
                .foreign_key(&mut fk(
                    VolunteerCertificates::Table,
                    VolunteerCertificates::ResidentId,
                    Residents::Table,
                ))
                .take(),
            vec![
                unique(
                    VolunteerCertificates::Table,
                    [VolunteerCertificates::VerificationCode],
                ),
                index(
                    VolunteerCertificates::Table,
                    [
                        VolunteerCertificates::ResidentId,
                        VolunteerCertificates::IssuedAt,
                    ],
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, [VolunteerCertificates::Table.into_iden()]).await
    }
}
