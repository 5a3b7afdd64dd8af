//! The order lifecycle.
//!
//! ```text
//! placed -> payment authorised -> sent to chef -> accepted -> preparing -> ready -> picked up -> delivered
//!                                              \-> rejected
//! cancelled (with a reason) from any state before pickup
//! ```
//!
//! A courier is assigned alongside the kitchen's progress (from acceptance
//! until pickup), so that it reaches the restaurant when the food is ready;
//! it can be unassigned again (declined offer, timeout, courier offline) and
//! the order goes back to matching. Pickup needs the food ready and the
//! assigned courier; delivery needs the same courier.
//!
//! Repeating a command whose effect already holds (the same courier assigned
//! again, a second "ready", a second cancel) is accepted and changes nothing,
//! so retries are safe; any other command outside the lifecycle is refused
//! with [`OrderError::IllegalTransition`] and changes nothing.
//!
//! An order paid through the engine also carries its payment
//! ([`super::payment`]): placement records the terms, the authorisation's
//! answer sends the order to its chef (or rejects it when declined), and a
//! rejection, cancellation or delivery makes a void or a capture due. The
//! rules for those events live in `order/payment_rules.rs`.

mod payment_rules;

use foodiefast_geo::{CourierId, OrderId, Point, RestaurantId, Seconds};
use serde::{Deserialize, Serialize};

use super::CustomerId;
use super::payment::{Hold, Payment, PaymentOutcome, PaymentTerms};

/// One line of an order: an item, how many, at what unit price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    /// The menu item's id.
    pub item: String,
    /// How many (one or more).
    pub quantity: u32,
    /// Price of one, in cents.
    pub unit_price_cents: i64,
}

/// Everything fixed when an order is placed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderDetails {
    /// The order.
    pub id: OrderId,
    /// Who ordered.
    pub customer: CustomerId,
    /// The chef's kitchen preparing it.
    pub kitchen: RestaurantId,
    /// Where the kitchen is (the city's planar frame).
    pub pickup: Point,
    /// Where the customer is.
    pub drop_off: Point,
    /// What was ordered.
    pub lines: Vec<OrderLine>,
    /// The total charged, in cents: the sum of the lines.
    pub total_cents: i64,
    /// When it was placed.
    pub placed_at: Seconds,
}

/// Where an order stands in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Placed by the customer, payment not yet authorised.
    Placed,
    /// The payment is authorised (held, not captured).
    PaymentAuthorised,
    /// The kitchen has been told and must accept or reject.
    SentToChef,
    /// The kitchen accepted and gave a ready estimate.
    Accepted,
    /// The kitchen is cooking.
    Preparing,
    /// The food waits at the counter.
    Ready,
    /// A courier has the food.
    PickedUp,
    /// Handed to the customer. Terminal.
    Delivered,
    /// The kitchen refused it. Terminal.
    Rejected,
    /// Cancelled before pickup. Terminal.
    Cancelled,
}

impl OrderStatus {
    /// Every status an unfinished order can be in, in lifecycle order.
    pub const LIVE: [Self; 7] = [
        Self::Placed,
        Self::PaymentAuthorised,
        Self::SentToChef,
        Self::Accepted,
        Self::Preparing,
        Self::Ready,
        Self::PickedUp,
    ];

    /// Whether nothing more can happen to the order.
    pub const fn is_terminal(self) -> bool {
        matches!(self, Self::Delivered | Self::Rejected | Self::Cancelled)
    }

    /// The status's name, as in events and views.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Placed => "placed",
            Self::PaymentAuthorised => "payment_authorised",
            Self::SentToChef => "sent_to_chef",
            Self::Accepted => "accepted",
            Self::Preparing => "preparing",
            Self::Ready => "ready",
            Self::PickedUp => "picked_up",
            Self::Delivered => "delivered",
            Self::Rejected => "rejected",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses a name written by [`Self::as_str`].
    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::Placed,
            Self::PaymentAuthorised,
            Self::SentToChef,
            Self::Accepted,
            Self::Preparing,
            Self::Ready,
            Self::PickedUp,
            Self::Delivered,
            Self::Rejected,
            Self::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }

    /// Whether a courier may be (re)assigned: after acceptance, before pickup.
    const fn courier_assignable(self) -> bool {
        matches!(self, Self::Accepted | Self::Preparing | Self::Ready)
    }

    /// Whether the order may still be cancelled: any time before pickup.
    const fn cancellable(self) -> bool {
        matches!(
            self,
            Self::Placed
                | Self::PaymentAuthorised
                | Self::SentToChef
                | Self::Accepted
                | Self::Preparing
                | Self::Ready
        )
    }
}

/// Why a kitchen did not take an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum RejectReason {
    /// The chef declined, optionally saying why.
    Declined {
        /// The chef's note.
        note: Option<String>,
    },
    /// The chef did not answer in time.
    NoAnswer,
    /// The kitchen is in busy mode.
    Busy,
}

impl RejectReason {
    /// The reason for people: `declined: NOTE`, `declined`, `no_answer`, `busy`.
    pub fn describe(&self) -> String {
        match self {
            Self::Declined { note: Some(note) } => format!("declined: {note}"),
            Self::Declined { note: None } => "declined".to_owned(),
            Self::NoAnswer => "no_answer".to_owned(),
            Self::Busy => "busy".to_owned(),
        }
    }
}

/// Why an order was cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum CancelReason {
    /// The customer asked.
    Customer,
    /// The payment provider declined the authorisation.
    PaymentDeclined,
    /// No courier could be found in time.
    NoCourier,
    /// An operator cancelled it.
    Operator {
        /// The operator's note.
        note: String,
    },
}

impl CancelReason {
    /// The reason for people: `customer`, `payment_declined`, `no_courier`,
    /// `operator: NOTE`.
    pub fn describe(&self) -> String {
        match self {
            Self::Customer => "customer".to_owned(),
            Self::PaymentDeclined => "payment_declined".to_owned(),
            Self::NoCourier => "no_courier".to_owned(),
            Self::Operator { note } => format!("operator: {note}"),
        }
    }
}

/// Why a courier lost an assignment before pickup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnassignReason {
    /// The courier declined the offer.
    Declined,
    /// The offer timed out.
    OfferTimedOut,
    /// The courier went offline.
    CourierOffline,
    /// The dispatcher found a better plan.
    Replanned,
}

/// What happened to an order: the unit of the event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum OrderEvent {
    /// The customer placed the order.
    Placed {
        /// What was ordered, where, by whom.
        details: OrderDetails,
    },
    /// The customer's payment method and the amount to hold, recorded
    /// with the placement of an order paid through the engine.
    PaymentRequested {
        /// When.
        at: Seconds,
        /// What to hold, on what.
        terms: PaymentTerms,
    },
    /// The payment was authorised: by the provider (`hold`), or outside the
    /// engine (no hold: replays, orders placed before payments).
    PaymentAuthorised {
        /// When.
        at: Seconds,
        /// The provider's hold.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hold: Option<Hold>,
    },
    /// The provider declined the payment method: the order is rejected.
    PaymentDeclined {
        /// When.
        at: Seconds,
        /// The provider's decline code.
        code: String,
        /// Its message, fit for the customer.
        message: String,
    },
    /// The hold was taken (after delivery).
    PaymentCaptured {
        /// When.
        at: Seconds,
        /// How much, minor units.
        amount_cents: i64,
    },
    /// The hold was released (after a rejection or cancellation).
    PaymentVoided {
        /// When.
        at: Seconds,
        /// How much was released, minor units.
        amount_cents: i64,
    },
    /// An admin asked for a refund.
    RefundRequested {
        /// When.
        at: Seconds,
        /// Which refund of the order (1, 2, ...).
        seq: u32,
        /// How much, minor units.
        amount_cents: i64,
        /// Why, for the records.
        note: String,
    },
    /// A refund was made.
    PaymentRefunded {
        /// When.
        at: Seconds,
        /// Which refund.
        seq: u32,
        /// How much, minor units.
        amount_cents: i64,
        /// The provider's id for it.
        refund: String,
    },
    /// The provider refused a payment step as final: an operator must look.
    PaymentFailed {
        /// When.
        at: Seconds,
        /// The step (`capture`, `void`, `refund-1`, ...).
        step: String,
        /// The provider's error code.
        code: String,
        /// Its message.
        message: String,
    },
    /// The kitchen was told.
    SentToChef {
        /// When.
        at: Seconds,
    },
    /// The kitchen accepted.
    Accepted {
        /// When.
        at: Seconds,
        /// When the kitchen expects the food ready.
        ready_at: Seconds,
    },
    /// The kitchen refused.
    Rejected {
        /// When.
        at: Seconds,
        /// Why.
        reason: RejectReason,
    },
    /// The kitchen started cooking.
    PreparationStarted {
        /// When.
        at: Seconds,
    },
    /// The food is ready.
    Ready {
        /// When.
        at: Seconds,
    },
    /// A courier accepted the order's offer.
    CourierAssigned {
        /// When.
        at: Seconds,
        /// Who.
        courier: CourierId,
        /// The planned pickup.
        pickup_eta: Seconds,
    },
    /// The courier lost the assignment; the order goes back to matching.
    CourierUnassigned {
        /// When.
        at: Seconds,
        /// Who.
        courier: CourierId,
        /// Why.
        reason: UnassignReason,
    },
    /// The courier took the food.
    PickedUp {
        /// When.
        at: Seconds,
        /// Who.
        courier: CourierId,
    },
    /// The customer has the food.
    Delivered {
        /// When.
        at: Seconds,
        /// Who delivered.
        courier: CourierId,
    },
    /// The order was cancelled.
    Cancelled {
        /// When.
        at: Seconds,
        /// Why.
        reason: CancelReason,
    },
}

/// What can be asked of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderCommand {
    /// Record a payment authorised outside the engine (an order placed
    /// without payment terms; refused for one the engine pays for).
    AuthorisePayment,
    /// Record the provider's answer to the payment step that was due.
    RecordPayment(PaymentOutcome),
    /// Refund part or all of a captured payment (an admin's decision).
    /// Numbered, so that a repeated request is recognised: refund `seq`
    /// already asked for changes nothing.
    RequestRefund {
        /// Which refund of the order this is (1 for the first).
        seq: u32,
        /// How much, minor units.
        amount_cents: i64,
        /// Why.
        note: String,
    },
    /// The time to find a courier ran out: cancel the order if it still
    /// has none (its hold is then voided).
    CourierSearchExpired,
    /// Hand the order to the kitchen.
    SendToChef,
    /// The kitchen accepts, expecting the food ready at `ready_at`.
    Accept {
        /// Ready estimate.
        ready_at: Seconds,
    },
    /// The kitchen refuses.
    Reject {
        /// Why.
        reason: RejectReason,
    },
    /// The kitchen starts cooking.
    StartPreparing,
    /// The food is ready.
    MarkReady,
    /// Assign a courier who accepted the offer.
    AssignCourier {
        /// Who.
        courier: CourierId,
        /// The planned pickup.
        pickup_eta: Seconds,
    },
    /// Take the order back from its courier.
    UnassignCourier {
        /// Why.
        reason: UnassignReason,
    },
    /// The courier picks the food up.
    PickUp {
        /// Who.
        courier: CourierId,
    },
    /// The courier hands the food over.
    Deliver {
        /// Who.
        courier: CourierId,
    },
    /// Cancel the order.
    Cancel {
        /// Why.
        reason: CancelReason,
    },
}

impl OrderCommand {
    /// The command's name, for errors and logs.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::AuthorisePayment => "authorise payment",
            Self::RecordPayment(_) => "record a payment",
            Self::RequestRefund { .. } => "refund",
            Self::CourierSearchExpired => "end the courier search",
            Self::SendToChef => "send to chef",
            Self::Accept { .. } => "accept",
            Self::Reject { .. } => "reject",
            Self::StartPreparing => "start preparing",
            Self::MarkReady => "mark ready",
            Self::AssignCourier { .. } => "assign courier",
            Self::UnassignCourier { .. } => "unassign courier",
            Self::PickUp { .. } => "pick up",
            Self::Deliver { .. } => "deliver",
            Self::Cancel { .. } => "cancel",
        }
    }
}

/// Why an order refused a command or an event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    /// The command is not allowed in the order's current state.
    #[error("cannot {command} an order that is {status}")]
    IllegalTransition {
        /// The refused command.
        command: &'static str,
        /// The order's status.
        status: &'static str,
    },
    /// Another courier holds the order.
    #[error("order is assigned to courier {assigned}, not {requested}")]
    WrongCourier {
        /// The courier holding the order.
        assigned: String,
        /// The courier that asked.
        requested: String,
    },
    /// A payment request the order's payment cannot take now.
    #[error("{0}")]
    Payment(String),
    /// The details of a new order are inconsistent.
    #[error("invalid order: {0}")]
    InvalidDetails(&'static str),
    /// A stored event history that the lifecycle cannot have produced.
    #[error("corrupt event history for order {order}: {reason}")]
    CorruptHistory {
        /// The order.
        order: String,
        /// What is wrong.
        reason: String,
    },
}

/// An order's current state, folded from its events.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    details: OrderDetails,
    status: OrderStatus,
    courier: Option<CourierId>,
    ready_at: Option<Seconds>,
    ready_since: Option<Seconds>,
    pickup_eta: Option<Seconds>,
    accepted_at: Option<Seconds>,
    reason: Option<String>,
    payment: Payment,
    updated_at: Seconds,
    version: u64,
}

impl Order {
    /// Checks a new order and returns the event that places it.
    pub fn place(details: OrderDetails) -> Result<OrderEvent, OrderError> {
        if details.lines.is_empty() {
            return Err(OrderError::InvalidDetails(
                "an order needs at least one line",
            ));
        }
        if details.lines.iter().any(|l| l.quantity == 0) {
            return Err(OrderError::InvalidDetails("quantities must be one or more"));
        }
        if details.lines.iter().any(|l| l.unit_price_cents < 0) {
            return Err(OrderError::InvalidDetails("prices cannot be negative"));
        }
        let sum = details.lines.iter().try_fold(0_i64, |acc, l| {
            l.unit_price_cents
                .checked_mul(i64::from(l.quantity))
                .and_then(|line| acc.checked_add(line))
        });
        if sum != Some(details.total_cents) {
            return Err(OrderError::InvalidDetails(
                "the total must equal the sum of the lines",
            ));
        }
        Ok(OrderEvent::Placed { details })
    }

    /// Rebuilds an order from its full history, oldest first.
    pub fn from_events<'a>(
        events: impl IntoIterator<Item = &'a OrderEvent>,
    ) -> Result<Self, OrderError> {
        let mut events = events.into_iter();
        let Some(OrderEvent::Placed { details }) = events.next() else {
            return Err(OrderError::CorruptHistory {
                order: "?".into(),
                reason: "the history does not start with the order being placed".into(),
            });
        };
        let mut order = Self {
            details: details.clone(),
            status: OrderStatus::Placed,
            courier: None,
            ready_at: None,
            ready_since: None,
            pickup_eta: None,
            accepted_at: None,
            reason: None,
            payment: Payment::default(),
            updated_at: details.placed_at,
            version: 1,
        };
        for event in events {
            order.apply(event)?;
        }
        Ok(order)
    }

    /// What was fixed at placement.
    pub const fn details(&self) -> &OrderDetails {
        &self.details
    }

    /// The order's id.
    pub const fn id(&self) -> OrderId {
        self.details.id
    }

    /// The lifecycle status.
    pub const fn status(&self) -> OrderStatus {
        self.status
    }

    /// The courier holding the order, if any.
    pub const fn courier(&self) -> Option<CourierId> {
        self.courier
    }

    /// The kitchen's ready estimate, once accepted.
    pub const fn ready_at(&self) -> Option<Seconds> {
        self.ready_at
    }

    /// When the food was actually ready, once it is.
    pub const fn ready_since(&self) -> Option<Seconds> {
        self.ready_since
    }

    /// The planned pickup, while a courier is assigned.
    pub const fn pickup_eta(&self) -> Option<Seconds> {
        self.pickup_eta
    }

    /// When the kitchen accepted, once it did.
    pub const fn accepted_at(&self) -> Option<Seconds> {
        self.accepted_at
    }

    /// Why the order was rejected or cancelled, for people
    /// (`payment_declined: ...`, `no_answer`, `customer`, ...).
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    /// The order's payment.
    pub const fn payment(&self) -> &Payment {
        &self.payment
    }

    /// Whether nothing more can happen to the order: a terminal status and
    /// no payment step left to take.
    pub const fn is_finished(&self) -> bool {
        self.status.is_terminal() && !self.payment.state().is_open()
    }

    /// When the last event happened.
    pub const fn updated_at(&self) -> Seconds {
        self.updated_at
    }

    /// How many events the order has: the version its next event must follow.
    pub const fn version(&self) -> u64 {
        self.version
    }

    /// Whether the order waits for a courier: accepted, not yet assigned nor picked up.
    pub const fn needs_courier(&self) -> bool {
        self.status.courier_assignable() && self.courier.is_none()
    }

    /// Checks `command` at `now` and returns the events it causes (none when
    /// its effect already holds). Never changes the order.
    pub fn decide(
        &self,
        now: Seconds,
        command: &OrderCommand,
    ) -> Result<Vec<OrderEvent>, OrderError> {
        use OrderCommand as C;
        use OrderStatus as S;
        let at = now;
        let illegal = || OrderError::IllegalTransition {
            command: command.name(),
            status: self.status.as_str(),
        };
        let event = match (command, self.status) {
            (C::RecordPayment(outcome), _) => return self.decide_payment(at, outcome),
            (
                C::RequestRefund {
                    seq,
                    amount_cents,
                    note,
                },
                _,
            ) => return self.decide_refund(at, *seq, *amount_cents, note),
            (C::CourierSearchExpired, _) if !self.needs_courier() => return Ok(Vec::new()),
            (C::CourierSearchExpired, _) => OrderEvent::Cancelled {
                at,
                reason: CancelReason::NoCourier,
            },
            (C::AuthorisePayment, S::Placed) if self.payment.terms().is_none() => {
                OrderEvent::PaymentAuthorised { at, hold: None }
            }
            (C::SendToChef, S::PaymentAuthorised) => OrderEvent::SentToChef { at },
            (C::Accept { ready_at }, S::SentToChef) => OrderEvent::Accepted {
                at,
                ready_at: *ready_at,
            },
            (C::Reject { reason }, S::SentToChef) => OrderEvent::Rejected {
                at,
                reason: reason.clone(),
            },
            (C::StartPreparing, S::Accepted) => OrderEvent::PreparationStarted { at },
            (C::MarkReady, S::Ready) | (C::Cancel { .. }, S::Cancelled) => return Ok(Vec::new()),
            (C::MarkReady, S::Accepted | S::Preparing) => OrderEvent::Ready { at },
            (
                C::AssignCourier {
                    courier,
                    pickup_eta,
                },
                s,
            ) if s.courier_assignable() => match self.courier {
                None => OrderEvent::CourierAssigned {
                    at,
                    courier: *courier,
                    pickup_eta: *pickup_eta,
                },
                Some(held) if held == *courier => return Ok(Vec::new()),
                Some(held) => return Err(wrong_courier(held, *courier)),
            },
            (C::UnassignCourier { reason }, s) if s.courier_assignable() => match self.courier {
                Some(courier) => OrderEvent::CourierUnassigned {
                    at,
                    courier,
                    reason: *reason,
                },
                None => return Err(illegal()),
            },
            (C::PickUp { courier }, S::Ready) => {
                self.check_courier(*courier)?;
                OrderEvent::PickedUp {
                    at,
                    courier: *courier,
                }
            }
            (C::PickUp { courier }, S::PickedUp) | (C::Deliver { courier }, S::Delivered) => {
                self.check_courier(*courier)?;
                return Ok(Vec::new());
            }
            (C::Deliver { courier }, S::PickedUp) => {
                self.check_courier(*courier)?;
                OrderEvent::Delivered {
                    at,
                    courier: *courier,
                }
            }
            (C::Cancel { reason }, s) if s.cancellable() => OrderEvent::Cancelled {
                at,
                reason: reason.clone(),
            },
            _ => return Err(illegal()),
        };
        Ok(vec![event])
    }

    fn check_courier(&self, requested: CourierId) -> Result<(), OrderError> {
        match self.courier {
            Some(held) if held == requested => Ok(()),
            Some(held) => Err(wrong_courier(held, requested)),
            None => Err(OrderError::IllegalTransition {
                command: "hand over",
                status: "without a courier",
            }),
        }
    }

    /// Folds `event` into the order. Refuses an event the lifecycle cannot
    /// produce from the current state (a corrupt or foreign history).
    pub fn apply(&mut self, event: &OrderEvent) -> Result<(), OrderError> {
        use OrderEvent as E;
        use OrderStatus as S;
        if let Some(at) = self.apply_payment(event)? {
            self.updated_at = self.updated_at.max(at);
            self.version += 1;
            return Ok(());
        }
        let corrupt = |reason: &str| OrderError::CorruptHistory {
            order: self.details.id.to_string(),
            reason: format!("{reason} while {}", self.status.as_str()),
        };
        let at = match (event, self.status) {
            (E::PaymentAuthorised { at, hold: None }, S::Placed)
                if self.payment.terms().is_none() =>
            {
                self.status = S::PaymentAuthorised;
                *at
            }
            (E::SentToChef { at }, S::PaymentAuthorised) => {
                self.status = S::SentToChef;
                *at
            }
            (E::Accepted { at, ready_at }, S::SentToChef) => {
                self.status = S::Accepted;
                self.ready_at = Some(*ready_at);
                self.accepted_at = Some(*at);
                *at
            }
            (E::Rejected { at, reason }, S::SentToChef) => {
                self.status = S::Rejected;
                self.reason = Some(reason.describe());
                *at
            }
            (E::PreparationStarted { at }, S::Accepted) => {
                self.status = S::Preparing;
                *at
            }
            (E::Ready { at }, S::Accepted | S::Preparing) => {
                self.status = S::Ready;
                self.ready_since = Some(*at);
                *at
            }
            (
                E::CourierAssigned {
                    at,
                    courier,
                    pickup_eta,
                },
                s,
            ) if s.courier_assignable() && self.courier.is_none() => {
                self.courier = Some(*courier);
                self.pickup_eta = Some(*pickup_eta);
                *at
            }
            (E::CourierUnassigned { at, courier, .. }, s)
                if s.courier_assignable() && self.courier == Some(*courier) =>
            {
                self.courier = None;
                self.pickup_eta = None;
                *at
            }
            (E::PickedUp { at, courier }, S::Ready) if self.courier == Some(*courier) => {
                self.status = S::PickedUp;
                *at
            }
            (E::Delivered { at, courier }, S::PickedUp) if self.courier == Some(*courier) => {
                self.status = S::Delivered;
                *at
            }
            (E::Cancelled { at, reason }, s) if s.cancellable() => {
                self.status = S::Cancelled;
                self.reason = Some(reason.describe());
                self.courier = None;
                self.pickup_eta = None;
                *at
            }
            (E::Placed { .. }, _) => return Err(corrupt("placed again")),
            _ => return Err(corrupt("an event out of the lifecycle")),
        };
        self.updated_at = self.updated_at.max(at);
        self.version += 1;
        Ok(())
    }
}

fn wrong_courier(assigned: CourierId, requested: CourierId) -> OrderError {
    OrderError::WrongCourier {
        assigned: assigned.to_string(),
        requested: requested.to_string(),
    }
}
