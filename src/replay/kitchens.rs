//! The simulated chefs: every restaurant of the instance is a kitchen open
//! all day; an order is paid for and sent to its chef the moment it is
//! placed, the chef accepts at once with the instance's ready time as the
//! estimate, and marks it ready exactly at that time.

use foodiefast_actors::Engine;
use foodiefast_actors::domain::CustomerId;
use foodiefast_actors::domain::order::{OrderCommand, OrderDetails, OrderLine};
use foodiefast_actors::kitchens::KitchenSettings;
use foodiefast_geo::order::Order;
use foodiefast_geo::{Point, RestaurantId, Seconds};

use super::ReplayError;

/// The MDRP has no menus or prices: every order is one meal at this price,
/// which only the payment steps see.
const MEAL_PRICE_CENTS: i64 = 2_000;

/// How long a chef may take to answer; the simulated chefs answer at once.
const ANSWER_WITHIN: Seconds = Seconds::from_minutes(5);

/// Opens the kitchen of every restaurant.
pub(super) async fn open_all(
    engine: &Engine,
    restaurants: impl IntoIterator<Item = (RestaurantId, Point)>,
) -> Result<(), ReplayError> {
    for (id, position) in restaurants {
        engine
            .open_kitchen(
                id,
                KitchenSettings {
                    position,
                    answer_within: ANSWER_WITHIN,
                },
            )
            .await?;
    }
    Ok(())
}

/// The customer places `order`; its payment is authorised and it is sent
/// to the chef.
pub(super) async fn place(engine: &Engine, order: &Order) -> Result<(), ReplayError> {
    engine
        .place_order(OrderDetails {
            id: order.id,
            customer: CustomerId(order.id.0),
            kitchen: order.restaurant,
            pickup: order.pickup,
            drop_off: order.drop_off,
            lines: vec![OrderLine {
                item: "meal".into(),
                quantity: 1,
                unit_price_cents: MEAL_PRICE_CENTS,
            }],
            total_cents: MEAL_PRICE_CENTS,
            placed_at: order.placed_at,
        })
        .await?;
    for command in [OrderCommand::AuthorisePayment, OrderCommand::SendToChef] {
        engine.command(order.id, command).await?;
    }
    Ok(())
}

/// The chef accepts `order` (once it has reached the kitchen's tablet), with
/// the instance's ready time as the estimate.
pub(super) async fn accept(engine: &Engine, order: &Order) -> Result<(), ReplayError> {
    engine
        .accept_order(order.restaurant, order.id, order.ready_at)
        .await?;
    Ok(())
}

/// The chef hands `order` over to the counter: it is ready.
pub(super) async fn mark_ready(engine: &Engine, order: &Order) -> Result<(), ReplayError> {
    engine.mark_ready(order.restaurant, order.id).await?;
    Ok(())
}
