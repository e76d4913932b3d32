//! One DataLoader shape for every "load these rows by id" relation, so no resolver does N+1.

use std::{collections::HashMap, marker::PhantomData};

use async_graphql::dataloader::Loader;
use sea_orm::{ColumnTrait, EntityTrait, Iterable, PrimaryKeyToColumn, QueryFilter};
use uuid::Uuid;

use crate::{db::Db, pagination::model_id};

pub struct EntityLoader<E> {
    db: Db,
    _entity: PhantomData<fn() -> E>,
}

impl<E> EntityLoader<E> {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            _entity: PhantomData,
        }
    }
}

impl<E> Loader<Uuid> for EntityLoader<E>
where
    E: EntityTrait,
    E::Model: Clone + Send + Sync + 'static,
{
    type Value = E::Model;
    type Error = std::sync::Arc<sea_orm::DbErr>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, E::Model>, Self::Error> {
        let id_col = E::PrimaryKey::iter()
            .next()
            .expect("entity has a primary key")
            .into_column();
        let rows = E::find()
            .filter(id_col.is_in(keys.iter().copied()))
            .all(&self.db.conn)
            .await
            .map_err(std::sync::Arc::new)?;
        Ok(rows.into_iter().map(|m| (model_id(&m), m)).collect())
    }
}

/// Load one row by id through the request's DataLoader for that entity.
pub async fn load_by_id<E>(
    ctx: &async_graphql::Context<'_>,
    id: Uuid,
) -> crate::error::AppResult<Option<E::Model>>
where
    E: EntityTrait,
    E::Model: Clone + Send + Sync + 'static,
{
    let loader = ctx
        .data::<async_graphql::dataloader::DataLoader<EntityLoader<E>>>()
        .map_err(|_| crate::error::AppError::internal(anyhow::anyhow!("loader not registered")))?;
    loader
        .load_one(id)
        .await
        .map_err(|e| crate::error::AppError::from(sea_orm::DbErr::Custom(e.to_string())))
}

/// Every per-request loader; a request gets a fresh set so nothing leaks between viewers.
pub fn register(request: async_graphql::Request, db: &Db) -> async_graphql::Request {
    use crate::entities::{
        activity, campaign, charity_org, charity_project, credit_rule, disbursement, donation,
        donor, perk, perk_partner, redemption, resident, reward, town,
    };
    use async_graphql::dataloader::DataLoader;
    fn loader<E>(db: &Db) -> DataLoader<EntityLoader<E>>
    where
        E: EntityTrait,
        E::Model: Clone + Send + Sync + 'static,
    {
        DataLoader::new(EntityLoader::<E>::new(db.clone()), tokio::spawn)
    }
    request
        .data(loader::<campaign::Entity>(db))
        .data(loader::<credit_rule::Entity>(db))
        .data(loader::<donation::Entity>(db))
        .data(loader::<disbursement::Entity>(db))
        .data(DataLoader::new(
            crate::transparency::FundingCounts::new(db.clone()),
            tokio::spawn,
        ))
        .data(loader::<donor::Entity>(db))
        .data(loader::<redemption::Entity>(db))
        .data(loader::<reward::Entity>(db))
        .data(DataLoader::new(
            EntityLoader::<town::Entity>::new(db.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            EntityLoader::<charity_org::Entity>::new(db.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            EntityLoader::<charity_project::Entity>::new(db.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            EntityLoader::<perk_partner::Entity>::new(db.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            EntityLoader::<activity::Entity>::new(db.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            EntityLoader::<perk::Entity>::new(db.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            EntityLoader::<resident::Entity>::new(db.clone()),
            tokio::spawn,
        ))
        .data(DataLoader::new(
            crate::volunteering::SignupsByActivity::new(db.clone()),
            tokio::spawn,
        ))
}
