//! The zone dispatcher actor: owns the zone's [`DispatchBook`], runs a
//! matching round on a fixed period (and early, a moment after an order
//! arrives while a courier is free), sends offers to courier actors, and turns accepted
//! offers into assignments on the orders; with prepositioning on, it also
//! sends idle couriers towards restaurants short of couriers after each
//! round. Couriers report through
//! [`DispatcherMsg::Courier`]; orders through [`DispatcherMsg::OrderNeedsCourier`]
//! and [`DispatcherMsg::OrderDone`].

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use foodiefast_geo::order::{Courier, Order};
use foodiefast_geo::{CourierId, OrderId, Seconds, TravelModel};
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};

use super::book::{AnswerOutcome, DispatchBook};
use super::decision::Decision;
use super::journal::DecisionJournal;
use crate::clock::Clock;
use crate::couriers::{CourierMsg, CourierNotice};
use crate::directory::Directory;
use crate::domain::courier::{Offer, OfferAnswer, Reposition};
use crate::domain::order::{OrderCommand, UnassignReason};
use crate::orders::OrderRouter;

/// How long after an offer's deadline the dispatcher settles it itself.
const OFFER_GRACE: Seconds = Seconds(5);

/// Courier actors by courier, shared by the gateway (which starts them) and
/// the dispatchers (which send them offers).
pub type CourierDirectory = Directory<CourierId, CourierMsg>;

/// What a zone dispatcher is told or asked.
#[derive(Debug)]
pub enum DispatcherMsg {
    /// An order is accepted by its kitchen and needs a courier.
    OrderNeedsCourier(Order),
    /// An order no longer needs dispatching (cancelled, picked up, delivered).
    OrderDone(OrderId),
    /// A courier's notice.
    Courier(CourierNotice),
    /// A courier's shift is scheduled (see [`DispatchBook::courier_scheduled`]).
    CourierScheduled(Courier),
    /// Time for a matching round.
    Tick,
    /// A round asked for by an arriving order: runs once however many
    /// orders asked before it came due.
    RoundSoon,
    /// Why was this order given to its courier?
    Explain(OrderId, RpcReplyPort<Option<Decision>>),
    /// How loaded the zone is, for an admin view.
    Load(RpcReplyPort<ZoneLoad>),
    /// Fail on purpose (fault injection for supervision tests and drills).
    Crash,
}

// Local only: never sent to another node of a cluster.
impl ractor::Message for DispatcherMsg {}

/// A zone's live counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ZoneLoad {
    /// Orders waiting for a round.
    pub waiting: usize,
    /// Couriers free for offers.
    pub available: usize,
    /// Offers awaiting an answer.
    pub open_offers: usize,
    /// Matching rounds that planned since the dispatcher started (the
    /// others found nothing changed and nothing due).
    pub rounds_planned: u64,
}

/// When a zone's matching rounds run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoundTiming {
    /// Period of the regular round.
    pub period: Duration,
    /// How long after the first order asking for an early round it runs:
    /// orders arriving within it share the round.
    pub early_delay: Duration,
}

/// Start-up arguments.
pub struct DispatcherArgs<M> {
    /// The zone's book.
    pub book: DispatchBook<M>,
    /// How orders are reached.
    pub router: Arc<OrderRouter>,
    /// How couriers are reached.
    pub couriers: Arc<CourierDirectory>,
    /// Engine time.
    pub clock: Clock,
    /// When the matching rounds run.
    pub timing: RoundTiming,
    /// Where decisions are kept for later questions.
    pub journal: DecisionJournal,
}

/// The zone dispatcher actor.
#[derive(Debug, Clone, Copy, Default)]
pub struct DispatcherActor<M>(std::marker::PhantomData<fn() -> M>);

impl<M> DispatcherActor<M> {
    /// The actor handler.
    pub fn new() -> Self {
        Self(std::marker::PhantomData)
    }
}

/// A running dispatcher's state.
pub struct DispatcherState<M> {
    book: DispatchBook<M>,
    router: Arc<OrderRouter>,
    couriers: Arc<CourierDirectory>,
    clock: Clock,
    journal: DecisionJournal,
    /// Every order the zone is responsible for, to put it back in the book
    /// if its courier lets it go.
    known: HashMap<OrderId, Order>,
    /// A `RoundSoon` is on its way.
    round_asked: bool,
    early_round_delay: Duration,
}

impl<M: TravelModel + Send + Sync + 'static> Actor for DispatcherActor<M> {
    type Msg = DispatcherMsg;
    type State = DispatcherState<M>;
    type Arguments = DispatcherArgs<M>;

    async fn pre_start(
        &self,
        myself: ActorRef<Self::Msg>,
        args: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        let DispatcherArgs {
            book,
            router,
            couriers,
            clock,
            timing,
            journal,
        } = args;
        myself.send_interval(timing.period, || DispatcherMsg::Tick);
        Ok(DispatcherState {
            book,
            router,
            couriers,
            clock,
            journal,
            known: HashMap::new(),
            round_asked: false,
            early_round_delay: timing.early_delay,
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            DispatcherMsg::OrderNeedsCourier(order) => {
                state.known.insert(order.id, order);
                // A duplicate (the order asked twice) is already in the book.
                let _ = state.book.add_order(order);
                // Orders placed together (a rush) share one early round: it
                // runs a moment after the first, not once per order, each
                // re-planning the whole zone.
                let now = state.clock.now();
                if state.book.available() > 0
                    && state.book.in_planning_horizon(&order, now)
                    && !state.round_asked
                {
                    myself.send_after(state.early_round_delay, || DispatcherMsg::RoundSoon);
                    state.round_asked = true;
                }
            }
            DispatcherMsg::RoundSoon => {
                state.round_asked = false;
                state.round();
            }
            DispatcherMsg::OrderDone(order) => {
                state.known.remove(&order);
                state.book.remove_order(order);
            }
            DispatcherMsg::Courier(notice) => state.on_courier(notice).await,
            DispatcherMsg::CourierScheduled(courier) => state.book.courier_scheduled(courier),
            DispatcherMsg::Tick => state.round(),
            DispatcherMsg::Explain(order, reply) => {
                let _ = reply.send(state.book.explain(order).cloned());
            }
            DispatcherMsg::Load(reply) => {
                let _ = reply.send(ZoneLoad {
                    waiting: state.book.waiting(),
                    available: state.book.available(),
                    open_offers: state.book.open_offers(),
                    rounds_planned: state.book.planned_rounds(),
                });
            }
            DispatcherMsg::Crash => return Err("asked to fail".into()),
        }
        Ok(())
    }
}

impl<M: TravelModel> DispatcherState<M> {
    /// Runs a round and sends its offers. Offers whose courier never said
    /// how they ended (its actor died) are settled first, a grace period after
    /// their deadline: the courier's own timer normally reports first.
    fn round(&mut self) {
        let now = self.clock.now();
        for offer in self.book.expired_offers(now - OFFER_GRACE) {
            let _ = self.book.answer(offer, OfferAnswer::TimedOut);
        }
        let started = std::time::Instant::now();
        let planned = self.book.planned_rounds();
        let Ok(offers) = self.book.round(now) else {
            return;
        };
        if self.book.planned_rounds() > planned {
            metrics::histogram!("foodiefast_matching_round_seconds")
                .record(started.elapsed().as_secs_f64());
        }
        for offer in offers {
            metrics::counter!("foodiefast_offers_total", "outcome" => "sent").increment(1);
            if let Some(decision) = offer.orders.first().and_then(|&o| self.book.explain(o)) {
                self.journal.record(decision.clone());
            }
            let message = CourierMsg::Offer(Offer {
                id: offer.offer,
                orders: offer.orders.clone(),
                pickup: offer.pickup,
                deadline: offer.deadline,
            });
            let delivered = self
                .couriers
                .get(&offer.courier)
                .is_some_and(|a| a.cast(message).is_ok());
            if !delivered {
                // The courier's actor is gone: treat as a decline.
                let _ = self.book.answer(offer.offer, OfferAnswer::Declined);
            }
        }
        self.preposition(now);
    }

    /// Sends the couriers the book moves towards restaurants; one whose
    /// actor is gone is forgotten.
    fn preposition(&mut self, now: Seconds) {
        for m in self.book.preposition(now) {
            metrics::counter!("foodiefast_prepositioning_moves_total").increment(1);
            let message = CourierMsg::Reposition(Reposition {
                restaurant: m.restaurant,
                to: m.to,
                arrive_by: m.arrive_at,
            });
            let delivered = self
                .couriers
                .get(&m.courier)
                .is_some_and(|a| a.cast(message).is_ok());
            if !delivered {
                self.book.courier_gone(m.courier);
            }
        }
    }

    async fn on_courier(&mut self, notice: CourierNotice) {
        match notice {
            CourierNotice::Available(courier) => self.book.courier_available(courier),
            CourierNotice::Gone(courier) => {
                self.book.courier_gone(courier);
            }
            CourierNotice::OfferEnded {
                courier,
                offer,
                answer,
            } => {
                let outcome_label = match answer {
                    OfferAnswer::Accepted => "accepted",
                    OfferAnswer::Declined => "declined",
                    OfferAnswer::TimedOut => "timed_out",
                };
                metrics::counter!("foodiefast_offers_total", "outcome" => outcome_label)
                    .increment(1);
                if let Ok(AnswerOutcome::Assigned {
                    orders, pickup_at, ..
                }) = self.book.answer(offer.id, answer)
                {
                    for order in orders {
                        let assign = OrderCommand::AssignCourier {
                            courier,
                            pickup_eta: pickup_at,
                        };
                        if self.router.command(order, assign).await.is_err() {
                            // Cancelled meanwhile: the courier drops it.
                            if let Some(actor) = self.couriers.get(&courier) {
                                let _ = actor.cast(CourierMsg::OrderCancelled(order));
                            }
                        }
                    }
                }
            }
            CourierNotice::Released { courier, orders } => {
                self.book.courier_released(courier);
                for order in orders {
                    let unassign = OrderCommand::UnassignCourier {
                        reason: UnassignReason::CourierOffline,
                    };
                    // An order still only offered has no assignment to undo.
                    let _ = self.router.command(order, unassign).await;
                    if let Some(o) = self.known.get(&order).copied() {
                        let _ = self.book.add_order(o);
                    }
                }
            }
        }
    }
}
