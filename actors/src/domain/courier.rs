//! A courier's working state: online or not, offers, the trip in progress.
//!
//! ```text
//! offline -> idle -> offered -> heading to pickup -> waiting at restaurant -> delivering -> idle
//!                     |  (declined / timed out) -> idle
//! any online state -> offline (orders not yet picked up go back to matching)
//! ```
//!
//! An idle courier may be sent towards a restaurant (prepositioning): it
//! stays idle, with a [`Reposition`] under way until it arrives, an offer
//! reaches it, or it goes offline.
//!
//! An offer is answered once: a second answer (or a timeout after an
//! answer) is accepted and has no effect, so a flaky app retrying is safe.

use foodiefast_geo::{OrderId, Point, RestaurantId, Seconds};
use serde::{Deserialize, Serialize};

/// What a courier is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CourierStatus {
    /// Not working.
    Offline,
    /// Online and free for offers.
    Idle,
    /// Holding an offer, not yet answered.
    Offered,
    /// On the way to a restaurant.
    HeadingToPickup,
    /// At the restaurant, waiting for the food.
    WaitingAtRestaurant,
    /// Carrying food to customers.
    Delivering,
}

impl CourierStatus {
    const ALL: [Self; 6] = [
        Self::Offline,
        Self::Idle,
        Self::Offered,
        Self::HeadingToPickup,
        Self::WaitingAtRestaurant,
        Self::Delivering,
    ];

    /// The status's name, as in views.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Offline => "offline",
            Self::Idle => "idle",
            Self::Offered => "offered",
            Self::HeadingToPickup => "heading_to_pickup",
            Self::WaitingAtRestaurant => "waiting_at_restaurant",
            Self::Delivering => "delivering",
        }
    }

    /// Parses a name written by [`Self::as_str`].
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// An offer of one bundle to one courier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    /// Unique per offer, so late answers to an old offer are recognised.
    pub id: u64,
    /// The bundle's orders, in drop-off sequence.
    pub orders: Vec<OrderId>,
    /// Where the food is picked up.
    pub pickup: Point,
    /// When the offer lapses.
    pub deadline: Seconds,
}

/// An idle courier sent to wait at a restaurant where orders are expected.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Reposition {
    /// The restaurant.
    pub restaurant: RestaurantId,
    /// Where it is.
    pub to: Point,
    /// When the dispatcher expects the courier there.
    pub arrive_by: Seconds,
}

/// How an offer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferAnswer {
    /// The courier took it.
    Accepted,
    /// The courier said no.
    Declined,
    /// Nobody answered before the deadline.
    TimedOut,
}

/// What a courier command changed, for the actor to act on.
#[derive(Debug, Clone, PartialEq)]
pub enum CourierOutcome {
    /// Nothing changed (a repeated answer, an old offer's timeout).
    Unchanged,
    /// The state changed; nothing else to tell.
    Changed,
    /// An offer ended: the orders are the courier's, or go back to matching.
    OfferEnded {
        /// The offer.
        offer: Offer,
        /// How it ended.
        answer: OfferAnswer,
    },
    /// The courier went offline holding orders not yet picked up: they go back to matching.
    Released {
        /// The orders.
        orders: Vec<OrderId>,
    },
}

/// Why a courier refused a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CourierError {
    /// The command does not fit what the courier is doing.
    #[error("cannot {command} while {status}")]
    IllegalTransition {
        /// The refused command.
        command: &'static str,
        /// The courier's status.
        status: &'static str,
    },
    /// An answer to an offer the courier does not hold.
    #[error("offer {0} is not held by this courier")]
    UnknownOffer(u64),
    /// A different answer to an offer already answered; the first answer stands.
    #[error("offer {offer} was already answered: {answer:?}")]
    AlreadyAnswered {
        /// The offer.
        offer: u64,
        /// The answer that stands.
        answer: OfferAnswer,
    },
    /// An order the courier does not carry.
    #[error("order {0} is not carried by this courier")]
    UnknownOrder(OrderId),
}

/// A courier's state.
#[derive(Debug, Clone, PartialEq)]
pub struct CourierState {
    status: CourierStatus,
    position: Option<Point>,
    shift_end: Option<Seconds>,
    offer: Option<Offer>,
    /// The last offer answered, to recognise repeated answers.
    last_answered: Option<(u64, OfferAnswer)>,
    /// Orders accepted and not yet delivered, in drop-off sequence.
    carrying: Vec<OrderId>,
    /// Where an idle courier was sent, until it gets there.
    reposition: Option<Reposition>,
}

impl Default for CourierState {
    fn default() -> Self {
        Self {
            status: CourierStatus::Offline,
            position: None,
            shift_end: None,
            offer: None,
            last_answered: None,
            carrying: Vec::new(),
            reposition: None,
        }
    }
}

impl CourierState {
    /// What the courier is doing.
    pub const fn status(&self) -> CourierStatus {
        self.status
    }

    /// Last known position.
    pub const fn position(&self) -> Option<Point> {
        self.position
    }

    /// End of the shift, when online.
    pub const fn shift_end(&self) -> Option<Seconds> {
        self.shift_end
    }

    /// The offer awaiting an answer.
    pub const fn pending_offer(&self) -> Option<&Offer> {
        self.offer.as_ref()
    }

    /// Orders accepted and not yet delivered.
    pub fn carrying(&self) -> &[OrderId] {
        &self.carrying
    }

    /// Where the courier was sent, while it is on its way.
    pub const fn repositioning(&self) -> Option<&Reposition> {
        self.reposition.as_ref()
    }

    /// Sends an idle courier with nothing to carry towards a restaurant; a
    /// new move replaces one under way.
    pub fn reposition(&mut self, to: Reposition) -> Result<CourierOutcome, CourierError> {
        if self.status != CourierStatus::Idle || !self.carrying.is_empty() {
            return Err(self.illegal("be sent to a restaurant"));
        }
        self.reposition = Some(to);
        Ok(CourierOutcome::Changed)
    }

    /// Ends the move under way (arrived, or given up on), if any.
    pub fn end_reposition(&mut self) -> Option<Reposition> {
        self.reposition.take()
    }

    fn illegal(&self, command: &'static str) -> CourierError {
        CourierError::IllegalTransition {
            command,
            status: self.status.as_str(),
        }
    }

    /// A courier as last recorded (after its actor failed, or the process
    /// restarted while it carried orders): online couriers come back where
    /// they were with the orders they carry. An offer held then is lost (its
    /// dispatcher settles it), so an offered courier comes back idle. The
    /// trip decides over a stale status: food `on_board` means delivering,
    /// and a courier carrying orders is at least heading to pickup.
    pub fn restore(
        status: CourierStatus,
        position: Option<Point>,
        shift_end: Option<Seconds>,
        carrying: Vec<OrderId>,
        on_board: bool,
    ) -> Self {
        let (Some(position), Some(shift_end)) = (position, shift_end) else {
            return Self::default();
        };
        let status = match status {
            _ if carrying.is_empty() && status == CourierStatus::Offline => {
                return Self::default();
            }
            _ if carrying.is_empty() => CourierStatus::Idle,
            _ if on_board => CourierStatus::Delivering,
            CourierStatus::HeadingToPickup | CourierStatus::WaitingAtRestaurant => status,
            _ => CourierStatus::HeadingToPickup,
        };
        Self {
            status,
            position: Some(position),
            shift_end: Some(shift_end),
            offer: None,
            last_answered: None,
            carrying,
            reposition: None,
        }
    }

    /// Withdraws the offer held, if any (its dispatcher is gone): the
    /// courier is idle again.
    pub fn withdraw_offer(&mut self) -> Option<Offer> {
        let offer = self.offer.take()?;
        self.status = CourierStatus::Idle;
        self.last_answered = Some((offer.id, OfferAnswer::TimedOut));
        Some(offer)
    }

    /// Starts a shift at `at`, ending at `shift_end`; an online courier
    /// saying so again keeps its shift, at the position and end it gives.
    pub fn go_online(
        &mut self,
        at: Point,
        shift_end: Seconds,
    ) -> Result<CourierOutcome, CourierError> {
        if self.status != CourierStatus::Offline {
            // The app saying so again (after a reconnect, or a restart of the
            // engine that restored this courier): the shift goes on as it
            // was, with the position and shift end it gives now.
            if self.position == Some(at) && self.shift_end == Some(shift_end) {
                return Ok(CourierOutcome::Unchanged);
            }
            self.position = Some(at);
            self.shift_end = Some(shift_end);
            return Ok(CourierOutcome::Changed);
        }
        self.status = CourierStatus::Idle;
        self.position = Some(at);
        self.shift_end = Some(shift_end);
        Ok(CourierOutcome::Changed)
    }

    /// Ends the shift. Orders not yet picked up are released to re-matching;
    /// food already on board must be delivered first.
    pub fn go_offline(&mut self) -> Result<CourierOutcome, CourierError> {
        match self.status {
            CourierStatus::Offline => Ok(CourierOutcome::Unchanged),
            CourierStatus::Delivering => Err(self.illegal("go offline")),
            _ => {
                let mut orders = std::mem::take(&mut self.carrying);
                if let Some(offer) = self.offer.take() {
                    orders.extend(offer.orders);
                }
                self.status = CourierStatus::Offline;
                self.shift_end = None;
                self.reposition = None;
                Ok(if orders.is_empty() {
                    CourierOutcome::Changed
                } else {
                    CourierOutcome::Released { orders }
                })
            }
        }
    }

    /// Records a new position (online couriers only).
    pub fn move_to(&mut self, at: Point) -> Result<CourierOutcome, CourierError> {
        if self.status == CourierStatus::Offline {
            return Err(self.illegal("report a position"));
        }
        self.position = Some(at);
        Ok(CourierOutcome::Changed)
    }

    /// Makes an offer to an idle courier.
    pub fn receive_offer(&mut self, offer: Offer) -> Result<CourierOutcome, CourierError> {
        if self.status != CourierStatus::Idle || offer.orders.is_empty() {
            return Err(self.illegal("receive an offer"));
        }
        self.status = CourierStatus::Offered;
        self.offer = Some(offer);
        // A new instruction: the move, if any, is over.
        self.reposition = None;
        Ok(CourierOutcome::Changed)
    }

    /// Answers the offer `offer_id`. A repeated answer, or a timeout of an
    /// offer already answered, has no effect.
    pub fn answer(
        &mut self,
        offer_id: u64,
        answer: OfferAnswer,
    ) -> Result<CourierOutcome, CourierError> {
        let held = self.offer.as_ref().is_some_and(|o| o.id == offer_id);
        if !held {
            return match self.last_answered {
                Some((id, first))
                    if id == offer_id && (first == answer || answer == OfferAnswer::TimedOut) =>
                {
                    Ok(CourierOutcome::Unchanged)
                }
                Some((id, first)) if id == offer_id => Err(CourierError::AlreadyAnswered {
                    offer: offer_id,
                    answer: first,
                }),
                _ => Err(CourierError::UnknownOffer(offer_id)),
            };
        }
        let Some(offer) = self.offer.take() else {
            return Err(CourierError::UnknownOffer(offer_id));
        };
        self.last_answered = Some((offer_id, answer));
        if answer == OfferAnswer::Accepted {
            self.carrying.extend(offer.orders.iter().copied());
            self.status = CourierStatus::HeadingToPickup;
        } else {
            self.status = CourierStatus::Idle;
        }
        Ok(CourierOutcome::OfferEnded { offer, answer })
    }

    /// The courier is at the restaurant.
    pub fn arrive_at_restaurant(&mut self) -> Result<CourierOutcome, CourierError> {
        match self.status {
            CourierStatus::HeadingToPickup => {
                self.status = CourierStatus::WaitingAtRestaurant;
                Ok(CourierOutcome::Changed)
            }
            CourierStatus::WaitingAtRestaurant => Ok(CourierOutcome::Unchanged),
            _ => Err(self.illegal("arrive at a restaurant")),
        }
    }

    /// The courier has the food.
    pub fn pick_up(&mut self) -> Result<CourierOutcome, CourierError> {
        match self.status {
            CourierStatus::HeadingToPickup | CourierStatus::WaitingAtRestaurant => {
                self.status = CourierStatus::Delivering;
                Ok(CourierOutcome::Changed)
            }
            CourierStatus::Delivering => Ok(CourierOutcome::Unchanged),
            _ => Err(self.illegal("pick up")),
        }
    }

    /// One order handed over; after the last, the courier is idle again.
    pub fn deliver(&mut self, order: OrderId) -> Result<CourierOutcome, CourierError> {
        if self.status != CourierStatus::Delivering {
            return Err(self.illegal("deliver"));
        }
        let Some(i) = self.carrying.iter().position(|&o| o == order) else {
            return Err(CourierError::UnknownOrder(order));
        };
        self.carrying.remove(i);
        if self.carrying.is_empty() {
            self.status = CourierStatus::Idle;
        }
        Ok(CourierOutcome::Changed)
    }

    /// An order the courier accepted was cancelled before pickup: drop it;
    /// a courier left with nothing to fetch is idle again.
    pub fn drop_order(&mut self, order: OrderId) -> Result<CourierOutcome, CourierError> {
        let Some(i) = self.carrying.iter().position(|&o| o == order) else {
            return Ok(CourierOutcome::Unchanged);
        };
        if self.status == CourierStatus::Delivering {
            return Err(self.illegal("drop an order on board"));
        }
        self.carrying.remove(i);
        if self.carrying.is_empty() {
            self.status = CourierStatus::Idle;
        }
        Ok(CourierOutcome::Changed)
    }
}
