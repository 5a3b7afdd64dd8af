//! Kitchens and menus: chefs publish their kitchen (`/kitchens/mine`) and
//! its menu; anyone signed in finds kitchens open now near a position and
//! reads their menus.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::catalog::{Currency, Kitchen, KitchenDetails, MenuItem, MenuItemDetails, WeeklyHours};
use crate::gateway::auth::tokens::unix_now;
use crate::gateway::auth::{Anyone, Authed, Chef};
use crate::gateway::error::{ApiError, ErrorBody};
use crate::gateway::extract::{Body, Path, Query};
use crate::gateway::kitchen_doors;
use crate::gateway::position::Position;
use crate::gateway::state::AppState;
use crate::gateway::validate;
use foodiefast_geo::RestaurantId;

/// Longest kitchen or dish name.
const MAX_NAME_CHARS: usize = 100;
/// Longest preparation time, minutes.
const MAX_PREP_MINUTES: u32 = 24 * 60;
/// Widest search, metres.
const MAX_RADIUS_M: f64 = 50_000.0;

/// The kitchen and menu routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(my_kitchen, put_my_kitchen))
        .routes(routes!(add_menu_item))
        .routes(routes!(update_menu_item))
        .routes(routes!(search_kitchens))
        .routes(routes!(kitchen_menu))
}

/// What a chef sets on their kitchen.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KitchenInput {
    /// Its name.
    pub name: String,
    /// Where it is.
    pub position: Position,
    /// Usual preparation time, minutes.
    pub prep_minutes: u32,
    /// Taking orders (within opening hours) or not.
    pub accepting: bool,
    /// Opening hours, in the city's local time.
    pub hours: WeeklyHours,
}

/// A kitchen as customers and its chef see it.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KitchenOut {
    /// Its id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Where it is.
    pub position: Position,
    /// Usual preparation time, minutes.
    pub prep_minutes: u32,
    /// The chef's switch.
    pub accepting: bool,
    /// Opening hours.
    pub hours: WeeklyHours,
    /// Whether orders are taken now (accepting and within its hours).
    pub open_now: bool,
    /// Distance from the searched position, metres (searches only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub distance_m: Option<f64>,
}

/// What a chef sets on a menu item.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MenuItemInput {
    /// Its name.
    pub name: String,
    /// Price in minor units (cents).
    pub price_minor: i64,
    /// ISO 4217 code.
    pub currency: Currency,
    /// Can be ordered now.
    pub available: bool,
    /// Preparation time, minutes.
    pub prep_minutes: u32,
}

/// A menu item.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MenuItemOut {
    /// Its id.
    pub id: u64,
    /// The kitchen.
    pub kitchen_id: u64,
    /// Its name.
    pub name: String,
    /// Price in minor units.
    pub price_minor: i64,
    /// ISO 4217 code.
    pub currency: Currency,
    /// Can be ordered now.
    pub available: bool,
    /// Preparation time, minutes.
    pub prep_minutes: u32,
}

/// Where to search.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Near {
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lng: f64,
    /// Radius, metres (default 5000, at most 50000).
    pub radius_m: Option<f64>,
}

impl KitchenOut {
    fn of(kitchen: Kitchen, now: i64, utc_offset_minutes: i32, distance_m: Option<f64>) -> Self {
        Self {
            id: kitchen.id.0,
            open_now: kitchen.is_open_at(now, utc_offset_minutes),
            name: kitchen.details.name,
            position: kitchen.details.position.into(),
            prep_minutes: kitchen.details.prep_minutes,
            accepting: kitchen.details.accepting,
            hours: kitchen.details.hours,
            distance_m,
        }
    }
}

impl From<MenuItem> for MenuItemOut {
    fn from(item: MenuItem) -> Self {
        Self {
            id: item.id,
            kitchen_id: item.kitchen.0,
            name: item.details.name,
            price_minor: item.details.price_minor,
            currency: item.details.currency,
            available: item.details.available,
            prep_minutes: item.details.prep_minutes,
        }
    }
}

fn check_prep(minutes: u32) -> Result<u32, ApiError> {
    if minutes > MAX_PREP_MINUTES {
        return Err(ApiError::InvalidInput(format!(
            "prep_minutes must be at most {MAX_PREP_MINUTES}"
        )));
    }
    Ok(minutes)
}

fn now() -> i64 {
    i64::try_from(unix_now()).unwrap_or(i64::MAX)
}

/// The kitchen of the signed-in chef, or 404.
pub(crate) async fn kitchen_of(state: &AppState, chef: u64) -> Result<Kitchen, ApiError> {
    state
        .store
        .kitchen_of_chef(chef)
        .await?
        .ok_or(ApiError::NotFound("kitchen"))
}

/// The signed-in chef's kitchen.
#[utoipa::path(get, path = "/kitchens/mine", tag = "kitchens", security(("bearer" = [])),
    responses(
        (status = 200, description = "The kitchen", body = KitchenOut),
        (status = 404, description = "No kitchen yet", body = ErrorBody),
    ))]
async fn my_kitchen(
    State(state): State<AppState>,
    chef: Authed<Chef>,
) -> Result<Json<KitchenOut>, ApiError> {
    let kitchen = kitchen_of(&state, chef.id).await?;
    Ok(Json(KitchenOut::of(
        kitchen,
        now(),
        state.utc_offset_minutes,
        None,
    )))
}

/// Creates or replaces the signed-in chef's kitchen.
#[utoipa::path(put, path = "/kitchens/mine", tag = "kitchens", security(("bearer" = [])),
    request_body = KitchenInput,
    responses(
        (status = 200, description = "The kitchen as stored", body = KitchenOut),
        (status = 422, description = "Invalid name, position, hours or time", body = ErrorBody),
    ))]
async fn put_my_kitchen(
    State(state): State<AppState>,
    chef: Authed<Chef>,
    Body(input): Body<KitchenInput>,
) -> Result<Json<KitchenOut>, ApiError> {
    let details = KitchenDetails {
        name: validate::name("name", &input.name, MAX_NAME_CHARS)?,
        position: input.position.to_lat_lng()?,
        prep_minutes: check_prep(input.prep_minutes)?,
        accepting: input.accepting,
        hours: input.hours,
    };
    let kitchen = state.store.put_kitchen(chef.id, &details).await?;
    // Saved: the engine follows (a failure here is caught up by the sweep).
    if let Err(err) = kitchen_doors::sync(&state, &kitchen, state.engines.clock().now()).await {
        tracing::warn!(kitchen = %kitchen.id, error = %err, "kitchen door not synced");
    }
    Ok(Json(KitchenOut::of(
        kitchen,
        now(),
        state.utc_offset_minutes,
        None,
    )))
}

fn menu_details(input: MenuItemInput) -> Result<MenuItemDetails, ApiError> {
    if input.price_minor < 0 {
        return Err(ApiError::InvalidInput(
            "price_minor cannot be negative".into(),
        ));
    }
    Ok(MenuItemDetails {
        name: validate::name("name", &input.name, MAX_NAME_CHARS)?,
        price_minor: input.price_minor,
        currency: input.currency,
        available: input.available,
        prep_minutes: check_prep(input.prep_minutes)?,
    })
}

/// Adds a dish to the signed-in chef's menu.
#[utoipa::path(post, path = "/kitchens/mine/menu", tag = "kitchens", security(("bearer" = [])),
    request_body = MenuItemInput,
    responses(
        (status = 201, description = "The item as stored", body = MenuItemOut),
        (status = 404, description = "No kitchen yet", body = ErrorBody),
        (status = 422, description = "Invalid item", body = ErrorBody),
    ))]
async fn add_menu_item(
    State(state): State<AppState>,
    chef: Authed<Chef>,
    Body(input): Body<MenuItemInput>,
) -> Result<(StatusCode, Json<MenuItemOut>), ApiError> {
    let details = menu_details(input)?;
    let kitchen = kitchen_of(&state, chef.id).await?;
    let item = state.store.add_menu_item(kitchen.id, &details).await?;
    Ok((StatusCode::CREATED, Json(item.into())))
}

/// Replaces a dish of the signed-in chef's menu.
#[utoipa::path(put, path = "/kitchens/mine/menu/{item_id}", tag = "kitchens",
    security(("bearer" = [])), request_body = MenuItemInput,
    params(("item_id" = u64, Path, description = "The menu item")),
    responses(
        (status = 200, description = "The item as stored", body = MenuItemOut),
        (status = 404, description = "Not an item of this chef's kitchen", body = ErrorBody),
        (status = 422, description = "Invalid item", body = ErrorBody),
    ))]
async fn update_menu_item(
    State(state): State<AppState>,
    chef: Authed<Chef>,
    Path(item_id): Path<u64>,
    Body(input): Body<MenuItemInput>,
) -> Result<Json<MenuItemOut>, ApiError> {
    let details = menu_details(input)?;
    let kitchen = kitchen_of(&state, chef.id).await?;
    let item = state
        .store
        .update_menu_item(kitchen.id, item_id, &details)
        .await?
        .ok_or(ApiError::NotFound("menu item"))?;
    Ok(Json(item.into()))
}

/// Kitchens open now within a radius of a position, nearest first.
#[utoipa::path(get, path = "/kitchens", tag = "kitchens", security(("bearer" = [])),
    params(Near),
    responses(
        (status = 200, description = "Open kitchens, nearest first", body = [KitchenOut]),
        (status = 422, description = "Coordinates or radius out of range", body = ErrorBody),
    ))]
async fn search_kitchens(
    State(state): State<AppState>,
    _who: Authed<Anyone>,
    Query(near): Query<Near>,
) -> Result<Json<Vec<KitchenOut>>, ApiError> {
    let centre = Position {
        lat: near.lat,
        lng: near.lng,
    }
    .to_lat_lng()?;
    let radius = near.radius_m.unwrap_or(5_000.0);
    if !(radius > 0.0 && radius <= MAX_RADIUS_M) {
        return Err(ApiError::InvalidInput(format!(
            "radius_m must be above 0 and at most {MAX_RADIUS_M}"
        )));
    }
    let now = now();
    // A scan of the accepting kitchens: a city has hundreds, not millions.
    let mut found: Vec<KitchenOut> = state
        .store
        .accepting_kitchens()
        .await?
        .into_iter()
        .filter(|k| k.is_open_at(now, state.utc_offset_minutes))
        .filter_map(|k| {
            let d = centre.haversine_m(k.details.position);
            (d <= radius).then(|| KitchenOut::of(k, now, state.utc_offset_minutes, Some(d)))
        })
        .collect();
    found.sort_by(|a, b| {
        let (da, db) = (a.distance_m.unwrap_or(0.0), b.distance_m.unwrap_or(0.0));
        da.total_cmp(&db).then(a.id.cmp(&b.id))
    });
    Ok(Json(found))
}

/// A kitchen's menu.
#[utoipa::path(get, path = "/kitchens/{kitchen_id}/menu", tag = "kitchens",
    security(("bearer" = [])),
    params(("kitchen_id" = u64, Path, description = "The kitchen")),
    responses(
        (status = 200, description = "Its items", body = [MenuItemOut]),
        (status = 404, description = "No such kitchen", body = ErrorBody),
    ))]
async fn kitchen_menu(
    State(state): State<AppState>,
    _who: Authed<Anyone>,
    Path(kitchen_id): Path<u64>,
) -> Result<Json<Vec<MenuItemOut>>, ApiError> {
    let id = RestaurantId(kitchen_id);
    state
        .store
        .kitchen(id)
        .await?
        .ok_or(ApiError::NotFound("kitchen"))?;
    let menu = state.store.menu(id).await?;
    Ok(Json(menu.into_iter().map(MenuItemOut::from).collect()))
}
