//! Kitchens and menu items, on either backend: chefs write them, customers
//! read them. Opening hours are stored as JSON text (the same on both
//! backends); positions as WGS84 degrees.

use foodiefast_actors::store::StoreError;
use foodiefast_geo::{LatLng, RestaurantId};
use sqlx::{Database, Decode, Encode, Executor, FromRow, IntoArguments, Type, query_as};

use super::rows::{backend, corrupt, from_db, to_db};
use super::shared::SqlStore;
use crate::catalog::{Currency, Kitchen, KitchenDetails, MenuItem, MenuItemDetails, WeeklyHours};

/// The columns of `kitchens`, in [`KitchenRow`]'s order.
macro_rules! kitchen_columns {
    () => {
        "id, chef, name, lat, lng, prep_minutes, accepting, hours, busy_until"
    };
}

/// The columns of `menu_items`, in [`MenuItemRow`]'s order.
macro_rules! menu_columns {
    () => {
        "id, kitchen, name, price_minor, currency, available, prep_minutes"
    };
}

/// A row of `kitchens`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct KitchenRow {
    id: i64,
    chef: i64,
    name: String,
    lat: f64,
    lng: f64,
    prep_minutes: i64,
    accepting: bool,
    hours: String,
    busy_until: Option<i64>,
}

impl KitchenRow {
    fn decode(self) -> Result<Kitchen, StoreError> {
        let id = from_db(self.id, "kitchen id")?;
        Ok(Kitchen {
            id: RestaurantId(id),
            chef: from_db(self.chef, "chef id")?,
            details: KitchenDetails {
                name: self.name,
                position: LatLng::new(self.lat, self.lng)
                    .map_err(|e| corrupt(format!("kitchen {id} position: {e}")))?,
                prep_minutes: minutes(self.prep_minutes)?,
                accepting: self.accepting,
                hours: serde_json::from_str(&self.hours)
                    .map_err(|e| corrupt(format!("kitchen {id} hours: {e}")))?,
            },
            busy_until: self.busy_until,
        })
    }
}

/// A row of `menu_items`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct MenuItemRow {
    id: i64,
    kitchen: i64,
    name: String,
    price_minor: i64,
    currency: String,
    available: bool,
    prep_minutes: i64,
}

impl MenuItemRow {
    fn decode(self) -> Result<MenuItem, StoreError> {
        Ok(MenuItem {
            id: from_db(self.id, "menu item id")?,
            kitchen: RestaurantId(from_db(self.kitchen, "kitchen id")?),
            details: MenuItemDetails {
                name: self.name,
                price_minor: self.price_minor,
                currency: Currency::try_from(self.currency).map_err(corrupt)?,
                available: self.available,
                prep_minutes: minutes(self.prep_minutes)?,
            },
        })
    }
}

fn minutes(value: i64) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| corrupt(format!("preparation time {value} out of range")))
}

fn hours_json(hours: &WeeklyHours) -> Result<String, StoreError> {
    serde_json::to_string(hours).map_err(backend)
}

impl<DB> SqlStore<DB>
where
    DB: Database,
    DB::Arguments: IntoArguments<DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    i64: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB>,
    f64: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB>,
    bool: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB>,
    String: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB>,
    Option<i64>: for<'q> Encode<'q, DB> + Type<DB>,
    KitchenRow: for<'r> FromRow<'r, DB::Row>,
    MenuItemRow: for<'r> FromRow<'r, DB::Row>,
{
    /// Creates the kitchen of `chef`, or replaces its details: a chef has one.
    pub(crate) async fn put_kitchen(
        &self,
        chef: u64,
        details: &KitchenDetails,
    ) -> Result<Kitchen, StoreError> {
        let row: KitchenRow = query_as(concat!(
            "INSERT INTO kitchens (chef, name, lat, lng, prep_minutes, accepting, hours) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (chef) DO UPDATE SET name = excluded.name, lat = excluded.lat, \
                 lng = excluded.lng, prep_minutes = excluded.prep_minutes, \
                 accepting = excluded.accepting, hours = excluded.hours \
             RETURNING ",
            kitchen_columns!()
        ))
        .bind(to_db(chef, "chef id")?)
        .bind(details.name.clone())
        .bind(details.position.lat())
        .bind(details.position.lng())
        .bind(i64::from(details.prep_minutes))
        .bind(details.accepting)
        .bind(hours_json(&details.hours)?)
        .fetch_one(&self.pool)
        .await
        .map_err(backend)?;
        row.decode()
    }

    /// The kitchen `id`.
    pub(crate) async fn kitchen(&self, id: RestaurantId) -> Result<Option<Kitchen>, StoreError> {
        let row: Option<KitchenRow> = query_as(concat!(
            "SELECT ",
            kitchen_columns!(),
            " FROM kitchens WHERE id = $1"
        ))
        .bind(to_db(id.0, "kitchen id")?)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.map(KitchenRow::decode).transpose()
    }

    /// The kitchen of `chef`.
    pub(crate) async fn kitchen_of_chef(&self, chef: u64) -> Result<Option<Kitchen>, StoreError> {
        let row: Option<KitchenRow> = query_as(concat!(
            "SELECT ",
            kitchen_columns!(),
            " FROM kitchens WHERE chef = $1"
        ))
        .bind(to_db(chef, "chef id")?)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.map(KitchenRow::decode).transpose()
    }

    /// Sets busy mode on kitchen `id` until `until` (`None` ends it); the
    /// kitchen afterwards, `None` when there is no such kitchen.
    pub(crate) async fn set_kitchen_busy(
        &self,
        id: RestaurantId,
        until: Option<i64>,
    ) -> Result<Option<Kitchen>, StoreError> {
        let row: Option<KitchenRow> = query_as(concat!(
            "UPDATE kitchens SET busy_until = $2 WHERE id = $1 RETURNING ",
            kitchen_columns!()
        ))
        .bind(to_db(id.0, "kitchen id")?)
        .bind(until)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.map(KitchenRow::decode).transpose()
    }

    /// Every kitchen, by id.
    pub(crate) async fn kitchens(&self) -> Result<Vec<Kitchen>, StoreError> {
        let found: Vec<KitchenRow> = query_as(concat!(
            "SELECT ",
            kitchen_columns!(),
            " FROM kitchens ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        found.into_iter().map(KitchenRow::decode).collect()
    }

    /// Every kitchen whose chef is accepting orders, by id.
    pub(crate) async fn accepting_kitchens(&self) -> Result<Vec<Kitchen>, StoreError> {
        let found: Vec<KitchenRow> = query_as(concat!(
            "SELECT ",
            kitchen_columns!(),
            " FROM kitchens WHERE accepting ORDER BY id"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        found.into_iter().map(KitchenRow::decode).collect()
    }

    /// Adds an item to `kitchen`'s menu.
    pub(crate) async fn add_menu_item(
        &self,
        kitchen: RestaurantId,
        details: &MenuItemDetails,
    ) -> Result<MenuItem, StoreError> {
        let row: MenuItemRow = query_as(concat!(
            "INSERT INTO menu_items (kitchen, name, price_minor, currency, available, prep_minutes) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
            menu_columns!()
        ))
        .bind(to_db(kitchen.0, "kitchen id")?)
        .bind(details.name.clone())
        .bind(details.price_minor)
        .bind(details.currency.as_str().to_owned())
        .bind(details.available)
        .bind(i64::from(details.prep_minutes))
        .fetch_one(&self.pool)
        .await
        .map_err(backend)?;
        row.decode()
    }

    /// Replaces item `id` of `kitchen`; `None` when the kitchen has no such item.
    pub(crate) async fn update_menu_item(
        &self,
        kitchen: RestaurantId,
        id: u64,
        details: &MenuItemDetails,
    ) -> Result<Option<MenuItem>, StoreError> {
        let row: Option<MenuItemRow> = query_as(concat!(
            "UPDATE menu_items SET name = $1, price_minor = $2, currency = $3, available = $4, \
                 prep_minutes = $5 WHERE id = $6 AND kitchen = $7 RETURNING ",
            menu_columns!()
        ))
        .bind(details.name.clone())
        .bind(details.price_minor)
        .bind(details.currency.as_str().to_owned())
        .bind(details.available)
        .bind(i64::from(details.prep_minutes))
        .bind(to_db(id, "menu item id")?)
        .bind(to_db(kitchen.0, "kitchen id")?)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.map(MenuItemRow::decode).transpose()
    }

    /// `kitchen`'s menu, by id.
    pub(crate) async fn menu(&self, kitchen: RestaurantId) -> Result<Vec<MenuItem>, StoreError> {
        let found: Vec<MenuItemRow> = query_as(concat!(
            "SELECT ",
            menu_columns!(),
            " FROM menu_items WHERE kitchen = $1 ORDER BY id"
        ))
        .bind(to_db(kitchen.0, "kitchen id")?)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        found.into_iter().map(MenuItemRow::decode).collect()
    }
}
