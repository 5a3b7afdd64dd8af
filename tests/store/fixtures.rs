//! Realistic orders for the suite, built and driven with the domain's own
//! rules (`Order::place`, `decide`, `apply`, `OrderView::of`), so the store
//! sees exactly the events and views the actors will give it.

use foodiefast::store::Store;
use foodiefast_actors::domain::CustomerId;
use foodiefast_actors::domain::order::{
    CancelReason, Order, OrderCommand, OrderDetails, OrderEvent, OrderLine, OrderStatus,
    RejectReason, UnassignReason,
};
use foodiefast_actors::store::{OrderStore, OrderView};
use foodiefast_geo::{CourierId, OrderId, Point, RestaurantId, Seconds};

/// The courier the fixtures assign.
pub(crate) const COURIER: CourierId = CourierId(9);

/// Every status, in lifecycle order; the last three are terminal.
pub(crate) const ALL_STATUSES: [OrderStatus; 10] = [
    OrderStatus::Placed,
    OrderStatus::PaymentAuthorised,
    OrderStatus::SentToChef,
    OrderStatus::Accepted,
    OrderStatus::Preparing,
    OrderStatus::Ready,
    OrderStatus::PickedUp,
    OrderStatus::Delivered,
    OrderStatus::Rejected,
    OrderStatus::Cancelled,
];

/// A two-line order with awkward text (accents, quotes) and fractional positions.
pub(crate) fn details(id: u64, customer: u64, placed_at: i64) -> OrderDetails {
    OrderDetails {
        id: OrderId(id),
        customer: CustomerId(customer),
        kitchen: RestaurantId(40 + id % 3),
        pickup: Point::new(1_234.5, -987.25).unwrap(),
        drop_off: Point::new(-3_000.125, 4_500.0).unwrap(),
        lines: vec![
            OrderLine {
                item: "crème brûlée \"maison\" 🍮".into(),
                quantity: 2,
                unit_price_cents: 650,
            },
            OrderLine {
                item: "jollof rice".into(),
                quantity: 1,
                unit_price_cents: 1_400,
            },
        ],
        total_cents: 2_700,
        placed_at: Seconds(placed_at),
    }
}

/// The commands that take a placed order to `status`.
pub(crate) fn path_to(status: OrderStatus) -> Vec<OrderCommand> {
    use OrderCommand as C;
    let accept = C::Accept {
        ready_at: Seconds(5_000),
    };
    let assign = C::AssignCourier {
        courier: COURIER,
        pickup_eta: Seconds(5_100),
    };
    let mut path = vec![C::AuthorisePayment, C::SendToChef];
    match status {
        OrderStatus::Placed => return Vec::new(),
        OrderStatus::PaymentAuthorised => path.truncate(1),
        OrderStatus::SentToChef => {}
        OrderStatus::Accepted => path.push(accept),
        OrderStatus::Preparing => path.extend([accept, C::StartPreparing]),
        OrderStatus::Ready | OrderStatus::PickedUp | OrderStatus::Delivered => {
            path.extend([accept, C::StartPreparing, assign, C::MarkReady]);
            if status != OrderStatus::Ready {
                path.push(C::PickUp { courier: COURIER });
            }
            if status == OrderStatus::Delivered {
                path.push(C::Deliver { courier: COURIER });
            }
        }
        OrderStatus::Rejected => path.push(C::Reject {
            reason: RejectReason::Declined {
                note: Some("out of saffron".into()),
            },
        }),
        OrderStatus::Cancelled => path.extend([
            accept,
            assign,
            C::UnassignCourier {
                reason: UnassignReason::OfferTimedOut,
            },
            C::Cancel {
                reason: CancelReason::Operator {
                    note: "duplicate; customer called".into(),
                },
            },
        ]),
    }
    path
}

/// An order driven through the store, with every event appended so far.
#[derive(Debug, Clone)]
pub(crate) struct Tracked {
    pub(crate) order: Order,
    pub(crate) events: Vec<OrderEvent>,
}

impl Tracked {
    /// Places the order of `details` (one append at version 0).
    pub(crate) async fn place(store: &Store, details: OrderDetails) -> Self {
        let event = Order::place(details).unwrap();
        let order = Order::from_events([&event]).unwrap();
        let version = store
            .append(
                order.id(),
                0,
                std::slice::from_ref(&event),
                &OrderView::of(&order),
            )
            .await
            .unwrap();
        assert_eq!(version, 1);
        Self {
            order,
            events: vec![event],
        }
    }

    /// Places an order and takes it to `status`, one append per command.
    pub(crate) async fn placed_in(
        store: &Store,
        details: OrderDetails,
        status: OrderStatus,
    ) -> Self {
        let at = details.placed_at.0;
        let mut tracked = Self::place(store, details).await;
        for (i, command) in (1..).zip(path_to(status)) {
            tracked.run(store, at + 60 * i, &[command]).await;
        }
        assert_eq!(tracked.order.status(), status);
        tracked
    }

    /// Decides `commands` at `at` and appends all their events in one append.
    pub(crate) async fn run(&mut self, store: &Store, at: i64, commands: &[OrderCommand]) {
        let (events, next) = self.decide(at, commands);
        let version = store
            .append(
                self.order.id(),
                self.order.version(),
                &events,
                &OrderView::of(&next),
            )
            .await
            .unwrap();
        assert_eq!(version, next.version());
        self.order = next;
        self.events.extend(events);
    }

    /// The events `commands` cause at `at` and the order after them; stores nothing.
    pub(crate) fn decide(&self, at: i64, commands: &[OrderCommand]) -> (Vec<OrderEvent>, Order) {
        let mut next = self.order.clone();
        let mut events = Vec::new();
        for command in commands {
            for event in next.decide(Seconds(at), command).unwrap() {
                next.apply(&event).unwrap();
                events.push(event);
            }
        }
        (events, next)
    }

    /// The order's view now.
    pub(crate) fn view(&self) -> OrderView {
        OrderView::of(&self.order)
    }
}
