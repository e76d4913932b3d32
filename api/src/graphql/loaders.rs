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

/// A fresh by-id loader for one entity, for one request.
pub fn entity_loader<E>(db: &Db) -> async_graphql::dataloader::DataLoader<EntityLoader<E>>
where
    E: EntityTrait,
    E::Model: Clone + Send + Sync + 'static,
{
    async_graphql::dataloader::DataLoader::new(EntityLoader::<E>::new(db.clone()), tokio::spawn)
}
