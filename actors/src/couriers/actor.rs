//! The courier actor. It owns a [`CourierState`], answers the app's
//! commands, times offers out on tokio's clock, tells the dispatcher of its
//! zone what changed (through a [`NoticeBoard`]), and tells the courier's
//! app, on the tracking hub's [`Topic::Courier`], about offers and changes to
//! what it carries. Statuses are written to the courier read model;
//! positions are not persisted one by one, only published live to the
//! customers whose food the courier carries.
//!
//! An idle courier the dispatcher sends towards a restaurant
//! (prepositioning) is told so in its app and says nothing to the dispatcher
//! until it is there (a position within [`ARRIVED_WITHIN_M`] of the
//! restaurant): the dispatcher plans with it at the restaurant meanwhile. A
//! courier still not there [`MOVE_GRACE`] after the expected arrival is free
//! again where it is, so one that ignored the move is not lost to dispatch.

use std::sync::Arc;
use std::time::Duration;

use foodiefast_geo::order::Courier;
use foodiefast_geo::{CourierId, OrderId, Point, Seconds};
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};

use super::notices::{CourierNotice, NoticeBoard};
use super::trips::{Trip, TripLedger};
use crate::clock::Clock;
use crate::domain::courier::{
    CourierError, CourierOutcome, CourierState, CourierStatus, Offer, OfferAnswer, Reposition,
};
use crate::store::{CourierStore, CourierView};
use crate::tracking::{CourierUpdate, Topic, TrackingHub, Update};
use crate::zoning::Zone;

/// A courier this close to where it was sent has arrived (GPS noise).
pub const ARRIVED_WITHIN_M: f64 = 50.0;

/// How long past the expected arrival a move is waited for.
pub const MOVE_GRACE: Seconds = Seconds(600);

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
    /// The dispatcher sends the idle courier towards a restaurant.
    Reposition(Reposition),
    /// A move expected to arrive at this instant is overdue (the actor's
    /// own timer).
    RepositionOverdue(Seconds),
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
    /// The orders the courier carries.
    Carrying(RpcReplyPort<Vec<OrderId>>),
    /// Tell the dispatcher again whether the courier is free (after this
    /// actor was rebuilt).
    Announce,
    /// `zone`'s dispatcher was rebuilt: a courier of that zone withdraws the
    /// offer it held (the new dispatcher never made it) and says it is free.
    DispatcherRestarted(Zone),
    /// Fail on purpose (fault injection for supervision tests and drills).
    Crash,
}

// Local only: never sent to another node of a cluster.
impl ractor::Message for CourierMsg {}

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
    /// Where notices to the dispatchers go.
    pub board: Arc<dyn NoticeBoard>,
    /// Orders carried, kept across restarts of this actor.
    pub trips: Arc<TripLedger>,
    /// The state to resume from (a rebuilt actor); `None` starts offline.
    pub resume: Option<CourierState>,
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
    /// The zone whose dispatcher knows this courier.
    home: Option<Zone>,
}

impl Actor for CourierActor {
    type Msg = CourierMsg;
    type State = CourierActorState;
    type Arguments = CourierArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        mut args: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        let courier = args.resume.take().unwrap_or_default();
        let home = courier.position().map(|at| args.board.zone_of(at));
        Ok(CourierActorState {
            args,
            courier,
            home,
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
                    if state.courier.status() == CourierStatus::Idle && state.arrived_if_moving(at)
                    {
                        state.announce_available();
                    }
                }
                return Ok(());
            }
            CourierMsg::Reposition(to) => {
                state.reposition(&myself, to);
                return Ok(());
            }
            CourierMsg::RepositionOverdue(arrive_by) => {
                let overdue = state
                    .courier
                    .repositioning()
                    .is_some_and(|r| r.arrive_by == arrive_by);
                if overdue {
                    state.courier.end_reposition();
                    state.announce_available();
                }
                return Ok(());
            }
            CourierMsg::Status(reply) => {
                let _ = reply.send(state.courier.status());
                return Ok(());
            }
            CourierMsg::Carrying(reply) => {
                let _ = reply.send(state.courier.carrying().to_vec());
                return Ok(());
            }
            CourierMsg::Announce => {
                if state.courier.status() == CourierStatus::Idle {
                    state.announce_available();
                }
                return Ok(());
            }
            CourierMsg::DispatcherRestarted(zone) => {
                state.dispatcher_restarted(zone);
                return Ok(());
            }
            CourierMsg::Crash => return Err("asked to fail".into()),
            CourierMsg::Offer(offer) => {
                state.receive_offer(&myself, offer);
                return Ok(());
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
    /// Tells the dispatcher that knows this courier.
    fn notify(&self, notice: CourierNotice) {
        let zone = self
            .home
            .or_else(|| {
                self.courier
                    .position()
                    .map(|at| self.args.board.zone_of(at))
            })
            .unwrap_or(Zone::City);
        self.args.board.notify(zone, notice);
    }

    fn tell_app(&self, update: CourierUpdate) {
        self.args
            .hub
            .publish(Topic::Courier(self.args.id), &Update::Courier(update));
    }

    /// Tells the dispatcher of the courier's zone that it is free for offers
    /// (online couriers always have a position and a shift end); a courier
    /// that crossed into another zone leaves its old dispatcher first.
    fn announce_available(&mut self) {
        let now = self.args.clock.now();
        let (Some(position), Some(shift_end)) = (self.courier.position(), self.courier.shift_end())
        else {
            return;
        };
        let zone = self.args.board.zone_of(position);
        if let Some(old) = self.home.filter(|&old| old != zone) {
            self.args
                .board
                .notify(old, CourierNotice::Gone(self.args.id));
        }
        self.home = Some(zone);
        self.args.board.notify(
            zone,
            CourierNotice::Available(Courier {
                id: self.args.id,
                position,
                free_at: now,
                shift_end,
            }),
        );
    }

    fn receive_offer(&mut self, myself: &ActorRef<CourierMsg>, offer: Offer) {
        let id = offer.id;
        let wait = (offer.deadline - self.args.clock.now()).0.max(0);
        if self.courier.receive_offer(offer.clone()).is_ok() {
            myself.send_after(Duration::from_secs(wait.unsigned_abs()), move || {
                CourierMsg::OfferDeadline(id)
            });
            self.tell_app(CourierUpdate::Offered(offer));
        } else {
            // Not idle any more: the offer goes straight back.
            self.notify(CourierNotice::OfferEnded {
                courier: self.args.id,
                offer,
                answer: OfferAnswer::Declined,
            });
        }
    }

    /// Whether a courier at `at` is free for offers: not on its way to a
    /// restaurant, or just arrived there (the move ends).
    fn arrived_if_moving(&mut self, at: Point) -> bool {
        let Some(to) = self.courier.repositioning().map(|r| r.to) else {
            return true;
        };
        if at.distance(to) > ARRIVED_WITHIN_M {
            return false;
        }
        self.courier.end_reposition();
        true
    }

    /// Starts a move the dispatcher asked for and tells the app; a courier
    /// no longer idle ignores it (the dispatcher hears of its new state).
    fn reposition(&mut self, myself: &ActorRef<CourierMsg>, to: Reposition) {
        if self.courier.reposition(to).is_err() {
            return;
        }
        let overdue_at = to.arrive_by + MOVE_GRACE;
        let wait = (overdue_at - self.args.clock.now()).0.max(0);
        myself.send_after(Duration::from_secs(wait.unsigned_abs()), move || {
            CourierMsg::RepositionOverdue(to.arrive_by)
        });
        self.tell_app(CourierUpdate::Reposition(to));
    }

    fn dispatcher_restarted(&mut self, zone: Zone) {
        if self.home != Some(zone) {
            return;
        }
        // The new dispatcher never sent it anywhere.
        self.courier.end_reposition();
        if let Some(offer) = self.courier.withdraw_offer() {
            self.tell_app(CourierUpdate::OfferEnded {
                offer: offer.id,
                answer: OfferAnswer::TimedOut,
            });
        }
        if self.courier.status() == CourierStatus::Idle {
            self.announce_available();
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

    /// Tells the dispatcher, the app and the read model what a successful
    /// command changed.
    async fn after(
        &mut self,
        before: CourierStatus,
        outcome: CourierOutcome,
    ) -> Result<(), ActorProcessingErr> {
        let id = self.args.id;
        match outcome {
            CourierOutcome::Unchanged => return Ok(()),
            CourierOutcome::Changed => {}
            CourierOutcome::OfferEnded { offer, answer } => {
                self.tell_app(CourierUpdate::OfferEnded {
                    offer: offer.id,
                    answer,
                });
                self.notify(CourierNotice::OfferEnded {
                    courier: id,
                    offer,
                    answer,
                });
            }
            CourierOutcome::Released { orders } => {
                self.tell_app(CourierUpdate::Released(orders.clone()));
                self.notify(CourierNotice::Released {
                    courier: id,
                    orders,
                });
            }
        }
        self.args.trips.record(
            id,
            Trip {
                orders: self.courier.carrying().to_vec(),
                on_board: self.courier.status() == CourierStatus::Delivering,
            },
        );
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
