//! Pay statements: a courier's own earnings (`GET /couriers/me/earnings`)
//! and a chef's kitchen's (`GET /kitchens/mine/earnings`), for a period
//! given as RFC 3339 times (`from`, `to`; by default today in the city's
//! offset, at most 31 days). Each caller sees only its own: the courier
//! is the token's subject, the kitchen the chef's. The figures come from
//! the store (deliveries, shift sessions, the orders' logs) and the
//! configured rates ([`crate::earnings`]), in minor units (cents).

use axum::Json;
use axum::extract::State;
use foodiefast_actors::store::OrderStore;
use foodiefast_geo::CourierId;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::earnings::chef::{ChefStatement, SaleLine};
use crate::earnings::courier::CourierStatement;
use crate::earnings::period::format_rfc3339;
use crate::earnings::{PayRates, Period};
use crate::gateway::auth::{Authed, Chef, Courier};
use crate::gateway::error::{ApiError, ErrorBody};
use crate::gateway::extract::Query;
use crate::gateway::routes::kitchens::kitchen_of;
use crate::gateway::state::AppState;

/// The earnings routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(courier_earnings))
        .routes(routes!(kitchen_earnings))
}

/// The period of a statement.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PeriodQuery {
    /// Its start, RFC 3339 (`2026-11-30T00:00:00+01:00`); default: the
    /// start of today in the city's offset, or a day before `to`.
    pub from: Option<String>,
    /// Its end, excluded, RFC 3339; default: a day after `from`. At most
    /// 31 days after `from`.
    pub to: Option<String>,
}

impl PeriodQuery {
    fn period(&self, state: &AppState) -> Result<Period, ApiError> {
        Period::parse(
            self.from.as_deref(),
            self.to.as_deref(),
            state.engines.clock().now().0,
            state.utc_offset_minutes,
        )
        .map_err(ApiError::InvalidInput)
    }
}

/// One delivered order on a courier's statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeliveryPay {
    /// The order.
    pub order_id: u64,
    /// When it was delivered, RFC 3339 in the city's offset.
    pub delivered_at: String,
    /// The fee, minor units.
    pub fee_minor: i64,
}

/// A courier's earnings for a period: per-order fees, topped up to the
/// hourly guarantee over the hours online:
/// `total_minor = max(orders_pay_minor, guarantee_minor)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CourierEarnings {
    /// The courier.
    pub courier_id: u64,
    /// The period's start, RFC 3339.
    pub from: String,
    /// The period's end (excluded), RFC 3339.
    pub to: String,
    /// ISO 4217 code of every amount.
    pub currency: String,
    /// The fee per delivered order, minor units.
    pub pay_per_order_minor: i64,
    /// The guaranteed pay per hour online, minor units.
    pub guarantee_per_hour_minor: i64,
    /// Every delivery in the period, in order.
    pub orders: Vec<DeliveryPay>,
    /// The fees' sum.
    pub orders_pay_minor: i64,
    /// Seconds online in the period (a shift still going counts to now).
    pub online_seconds: i64,
    /// The same in hours, rounded to hundredths, for people.
    pub hours_online: f64,
    /// What the hours online guarantee, rounded to the nearest minor unit.
    pub guarantee_minor: i64,
    /// What the guarantee adds to the fees (0 when the fees exceed it).
    pub top_up_minor: i64,
    /// Payable: fees plus top-up.
    pub total_minor: i64,
}

/// One order on a kitchen's statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrderSale {
    /// The order.
    pub order_id: u64,
    /// When its payment was captured, RFC 3339, if in the period.
    pub captured_at: Option<String>,
    /// Captured in the period, minor units.
    pub gross_minor: i64,
    /// Refunded in the period.
    pub refunded_minor: i64,
    /// The platform's commission on `gross - refunded` (negative when a
    /// refund gives it back).
    pub commission_minor: i64,
    /// `gross - refunded - commission`.
    pub net_minor: i64,
}

/// A kitchen's earnings for a period: what its customers' payments left
/// after refunds and the platform's commission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct KitchenEarnings {
    /// The kitchen.
    pub kitchen_id: u64,
    /// The period's start, RFC 3339.
    pub from: String,
    /// The period's end (excluded), RFC 3339.
    pub to: String,
    /// ISO 4217 code of every amount.
    pub currency: String,
    /// The platform's commission, basis points.
    pub commission_bps: i64,
    /// Every order whose payment was captured or refunded in the period.
    pub orders: Vec<OrderSale>,
    /// Captured.
    pub gross_minor: i64,
    /// Refunded.
    pub refunded_minor: i64,
    /// Commission.
    pub commission_minor: i64,
    /// Payable to the kitchen.
    pub net_minor: i64,
}

/// The caller's earnings for a period.
#[utoipa::path(get, path = "/couriers/me/earnings", tag = "couriers",
    security(("bearer" = [])), params(PeriodQuery),
    responses(
        (status = 200, description = "The statement", body = CourierEarnings),
        (status = 403, description = "Not a courier", body = ErrorBody),
        (status = 422, description = "A bad time, a reversed or empty period, or one longer than 31 days", body = ErrorBody),
    ))]
async fn courier_earnings(
    State(state): State<AppState>,
    courier: Authed<Courier>,
    Query(query): Query<PeriodQuery>,
) -> Result<Json<CourierEarnings>, ApiError> {
    let period = query.period(&state)?;
    let id = CourierId(courier.id);
    let deliveries = state.store.courier_deliveries(id, period.bounds()).await?;
    let sessions = state.store.courier_sessions(id, period.bounds()).await?;
    let now = state.engines.clock().now().0;
    let rates: PayRates = state.pay;
    let s = CourierStatement::compute(rates, period, &deliveries, &sessions, now);
    let offset = state.utc_offset_minutes;
    Ok(Json(CourierEarnings {
        courier_id: id.0,
        from: format_rfc3339(period.from, offset),
        to: format_rfc3339(period.to, offset),
        currency: state.currency.clone(),
        pay_per_order_minor: rates.per_order_cents,
        guarantee_per_hour_minor: rates.guarantee_per_hour_cents,
        orders: s
            .lines
            .iter()
            .map(|l| DeliveryPay {
                order_id: l.order.0,
                delivered_at: format_rfc3339(l.delivered_at, offset),
                fee_minor: l.fee_cents,
            })
            .collect(),
        orders_pay_minor: s.orders_pay_cents,
        online_seconds: s.online_seconds,
        hours_online: (s.online_seconds as f64 / 36.0).round() / 100.0,
        guarantee_minor: s.guarantee_cents,
        top_up_minor: s.top_up_cents,
        total_minor: s.total_cents,
    }))
}

/// The caller's kitchen's earnings for a period.
#[utoipa::path(get, path = "/kitchens/mine/earnings", tag = "kitchens",
    security(("bearer" = [])), params(PeriodQuery),
    responses(
        (status = 200, description = "The statement", body = KitchenEarnings),
        (status = 403, description = "Not a chef", body = ErrorBody),
        (status = 404, description = "The chef has no kitchen", body = ErrorBody),
        (status = 422, description = "A bad time, a reversed or empty period, or one longer than 31 days", body = ErrorBody),
    ))]
async fn kitchen_earnings(
    State(state): State<AppState>,
    chef: Authed<Chef>,
    Query(query): Query<PeriodQuery>,
) -> Result<Json<KitchenEarnings>, ApiError> {
    let period = query.period(&state)?;
    let kitchen = kitchen_of(&state, chef.id).await?;
    let bps = state.pay.commission_bps;
    let mut lines = Vec::new();
    for order in state
        .store
        .kitchen_delivered_between(kitchen.id, period.bounds())
        .await?
    {
        let log = state.store.load(order).await?;
        lines.extend(SaleLine::of(order, &log, period, bps));
    }
    let s = ChefStatement::of(lines);
    let offset = state.utc_offset_minutes;
    Ok(Json(KitchenEarnings {
        kitchen_id: kitchen.id.0,
        from: format_rfc3339(period.from, offset),
        to: format_rfc3339(period.to, offset),
        currency: state.currency.clone(),
        commission_bps: bps,
        orders: s
            .lines
            .iter()
            .map(|l| OrderSale {
                order_id: l.order.0,
                captured_at: l.captured_at.map(|at| format_rfc3339(at, offset)),
                gross_minor: l.gross_cents,
                refunded_minor: l.refunded_cents,
                commission_minor: l.commission_cents,
                net_minor: l.net_cents,
            })
            .collect(),
        gross_minor: s.gross_cents,
        refunded_minor: s.refunded_cents,
        commission_minor: s.commission_cents,
        net_minor: s.net_cents,
    }))
}
