//! The courier actor. It owns a [`CourierState`], answers the app's
//! commands, times offers out on tokio's clock, and tells the zone's
//! dispatcher what changed through a notice channel: free for offers, gone,
//! an offer ended, orders released. Statuses are written to the courier read
//! model; positions are not persisted one by one, only published live to
//! the customers whose food the courier carries.

use std::sync::Arc;
use std::time::Duration;

use foodiefast_geo::order::Courier;
use foodiefast_geo::{CourierId, OrderId, Point, Seconds};
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use tokio::sync::mpsc::UnboundedSender;

use crate::clock::Clock;
use crate::domain::courier::{
    CourierError, CourierOutcome, CourierState, CourierStatus, Offer, OfferAnswer,
};
use crate::store::{CourierStore, CourierView};
use crate::tracking::{Topic, TrackingHub, Update};

/// What a courier actor tells its zone's dispatcher.
#[derive(Debug, Clone, PartialEq)]
pub enum CourierNotice {
    /// Free for offers, from `courier.position` at `courier.free_at`.
    Available(Courier),
    /// No longer free (offline, or busy with an accepted offer).
    Gone(CourierId),
    /// An offer ended; the orders are the courier's, or go back to matching.
    OfferEnded {
        /// Who.
        courier: CourierId,
        /// The offer.
        offer: Offer,
        /// How it ended.
        answer: OfferAnswer,
    },
    /// The courier went offline holding orders not yet picked up.
    Released {
        /// Who.
        courier: CourierId,
        /// The orders, back to matching.
        orders: Vec<OrderId>,
    },
}

/// What a courier actor is asked.
#[derive(Debug)]
pub enum CourierMsg {
    /// Start a shift at a position.
    GoOnline {
        /// Where.
        at: Point,
        /// When the shift ends.
        shift_end: Seconds,
        /// The answer.
        reply: RpcReplyPort<Result<(), CourierError>>,
    },
    /// End the shift.
    GoOffline(RpcReplyPort<Result<(), CourierError>>),
    /// A position from the app (fire and forget: positions arrive often).
    Position(Point),
    /// An offer from the dispatcher.
    Offer(Offer),
    /// The app's answer to an offer.
    Answer {
        /// The offer.
        offer: u64,
        /// Accept or decline.
        answer: OfferAnswer,
        /// The answer.
        reply: RpcReplyPort<Result<(), CourierError>>,
    },
    /// An offer's deadline passed (the actor's own timer).
    OfferDeadline(u64),
    /// At the restaurant.
    Arrived(RpcReplyPort<Result<(), CourierError>>),
    /// Food on board.
    PickedUp(RpcReplyPort<Result<(), CourierError>>),
    /// One order handed over.
    Delivered {
        /// The order.
        order: OrderId,
        /// The answer.
        reply: RpcReplyPort<Result<(), CourierError>>,
    },
    /// An accepted order was cancelled before pickup.
    OrderCancelled(OrderId),
    /// The courier's current status.
    Status(RpcReplyPort<CourierStatus>),
}

/// Start-up arguments.
#[derive(Clone)]
pub struct CourierArgs {
    /// The courier.
    pub id: CourierId,
    /// Where statuses are recorded.
    pub store: Arc<dyn CourierStore>,
    /// Live updates.
    pub hub: Arc<TrackingHub>,
    /// Engine time.
    pub clock: Clock,
    /// The zone dispatcher's notice channel.
    pub notices: UnboundedSender<CourierNotice>,
}

impl std::fmt::Debug for CourierArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CourierArgs")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// The courier actor.
#[derive(Debug, Clone, Copy)]
pub struct CourierActor;

/// A running courier actor's state.
#[derive(Debug)]
pub struct CourierActorState {
    args: CourierArgs,
    courier: CourierState,
}

impl Actor for CourierActor {
    type Msg = CourierMsg;
    type State = CourierActorState;
    type Arguments = CourierArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        args: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        // A courier restarts offline: the app reconnects and goes online again.
        Ok(CourierActorState {
            args,
            courier: CourierState::default(),
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        let before = state.courier.status();
        let (result, reply) = match message {
            CourierMsg::Position(at) => {
                if state.courier.move_to(at).is_ok() {
                    state.publish_position(at);
                    if state.courier.status() == CourierStatus::Idle {
                        state.announce_available();
                    }
                }
                return Ok(());
            }
            CourierMsg::Status(reply) => {
                let _ = reply.send(state.courier.status());
                return Ok(());
            }
            CourierMsg::Offer(offer) => {
                let id = offer.id;
                let wait = (offer.deadline - state.args.clock.now()).0.max(0);
                if state.courier.receive_offer(offer.clone()).is_ok() {
                    myself.send_after(Duration::from_secs(wait.unsigned_abs()), move || {
                        CourierMsg::OfferDeadline(id)
                    });
                } else {
                    // Not idle any more: the offer goes straight back.
                    state.notify(CourierNotice::OfferEnded {
                        courier: state.args.id,
                        offer,
                        answer: OfferAnswer::Declined,
                    });
                }
                (Ok(CourierOutcome::Unchanged), None)
            }
            CourierMsg::OfferDeadline(offer) => {
                (state.courier.answer(offer, OfferAnswer::TimedOut), None)
            }
            CourierMsg::OrderCancelled(order) => (state.courier.drop_order(order), None),
            CourierMsg::GoOnline {
                at,
                shift_end,
                reply,
            } => (state.courier.go_online(at, shift_end), Some(reply)),
            CourierMsg::GoOffline(reply) => (state.courier.go_offline(), Some(reply)),
            CourierMsg::Answer {
                offer,
                answer,
                reply,
            } => (state.courier.answer(offer, answer), Some(reply)),
            CourierMsg::Arrived(reply) => (state.courier.arrive_at_restaurant(), Some(reply)),
            CourierMsg::PickedUp(reply) => (state.courier.pick_up(), Some(reply)),
            CourierMsg::Delivered { order, reply } => (state.courier.deliver(order), Some(reply)),
        };
        let answer = match result {
            Ok(outcome) => {
                state.after(before, outcome).await?;
                Ok(())
            }
            // A refused command (an unknown offer's timer, say) changes nothing.
            Err(refused) => Err(refused),
        };
        if let Some(reply) = reply {
            let _ = reply.send(answer);
        }
        Ok(())
    }
}

impl CourierActorState {
    fn notify(&self, notice: CourierNotice) {
        // The dispatcher gone means the zone is shutting down; nothing to tell.
        let _ = self.args.notices.send(notice);
    }

    /// Tells the dispatcher the courier is free for offers (online couriers
    /// always have a position and a shift end).
    fn announce_available(&self) {
        let now = self.args.clock.now();
        if let (Some(position), Some(shift_end)) =
            (self.courier.position(), self.courier.shift_end())
        {
            self.notify(CourierNotice::Available(Courier {
                id: self.args.id,
                position,
                free_at: now,
                shift_end,
            }));
        }
    }

    fn publish_position(&self, at: Point) {
        let update = Update::Position {
            courier: self.args.id,
            at,
            eta: None,
        };
        for &order in self.courier.carrying() {
            self.args.hub.publish(Topic::Order(order), &update);
        }
    }

    /// Tells the dispatcher and the read model what a successful command changed.
    async fn after(
        &self,
        before: CourierStatus,
        outcome: CourierOutcome,
    ) -> Result<(), ActorProcessingErr> {
        let id = self.args.id;
        match outcome {
            CourierOutcome::Unchanged => return Ok(()),
            CourierOutcome::Changed => {}
            CourierOutcome::OfferEnded { offer, answer } => {
                self.notify(CourierNotice::OfferEnded {
                    courier: id,
                    offer,
                    answer,
                });
            }
            CourierOutcome::Released { orders } => {
                self.notify(CourierNotice::Released {
                    courier: id,
                    orders,
                });
            }
        }
        let now = self.courier.status();
        if now != before {
            match now {
                CourierStatus::Idle => self.announce_available(),
                CourierStatus::Offline | CourierStatus::HeadingToPickup => {
                    self.notify(CourierNotice::Gone(id));
                }
                _ => {}
            }
            self.args
                .store
                .put_courier(&CourierView {
                    id,
                    status: now,
                    position: self.courier.position(),
                    shift_end: self.courier.shift_end(),
                    updated_at: self.args.clock.now(),
                })
                .await?;
        }
        Ok(())
    }
}
