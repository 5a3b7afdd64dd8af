//! Zone dispatchers under a [`KeyedSupervisor`](crate::supervisor::KeyedSupervisor):
//! one per zone, started the first time the zone hears of an order or a
//! courier (or at start-up for configured zones). A dispatcher rebuilt after
//! a failure starts with an empty book and asks for it to be filled again:
//! the couriers of its zone withdraw offers it can no longer settle and say
//! they are free, and the orders waiting for a courier announce themselves.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use foodiefast_geo::{Point, Seconds, TravelModel};
use ractor::{Actor, ActorCell, ActorProcessingErr, ActorRef};

use super::actor::{CourierDirectory, DispatcherActor, DispatcherArgs, DispatcherMsg, RoundTiming};
use super::book::{DispatchBook, DispatchParams};
use super::journal::DecisionJournal;
use crate::clock::Clock;
use crate::couriers::CourierMsg;
use crate::orders::OrderRouter;
use crate::reactions::Resume;
use crate::supervisor::ChildKind;
use crate::zoning::Zone;

/// A travel model shared by every zone's book.
#[derive(Clone)]
pub struct Travel(pub Arc<dyn TravelModel + Send + Sync>);

impl std::fmt::Debug for Travel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Travel")
    }
}

impl TravelModel for Travel {
    #[inline]
    fn travel_time(&self, from: Point, to: Point) -> Seconds {
        self.0.travel_time(from, to)
    }

    fn reach_radius(&self, budget: Seconds) -> f64 {
        self.0.reach_radius(budget)
    }
}

/// How zone dispatchers start and restart.
#[derive(Debug)]
pub struct DispatcherKind {
    /// Travel times for every zone.
    pub travel: Travel,
    /// How every zone dispatches.
    pub params: DispatchParams,
    /// How orders are reached.
    pub router: Arc<OrderRouter>,
    /// How couriers are reached.
    pub couriers: Arc<CourierDirectory>,
    /// Engine time.
    pub clock: Clock,
    /// When the matching rounds run.
    pub timing: RoundTiming,
    /// Offer ids, unique across zones and restarts.
    pub offer_ids: Arc<AtomicU64>,
    /// Where decisions are kept for later questions.
    pub journal: DecisionJournal,
}

impl ChildKind for DispatcherKind {
    type Key = Zone;
    type Msg = DispatcherMsg;
    const KIND: &'static str = "dispatcher";

    async fn spawn(
        &self,
        _zone: Zone,
        supervisor: ActorCell,
        _after_failure: bool,
    ) -> Result<ActorRef<DispatcherMsg>, ActorProcessingErr> {
        let args = DispatcherArgs {
            book: DispatchBook::new(self.travel.clone(), self.params)?
                .numbering_offers_with(self.offer_ids.clone()),
            router: self.router.clone(),
            couriers: self.couriers.clone(),
            clock: self.clock,
            timing: self.timing,
            journal: self.journal.clone(),
        };
        let (actor, _) =
            Actor::spawn_linked(None, DispatcherActor::<Travel>::new(), args, supervisor).await?;
        Ok(actor)
    }

    fn restarted(&self, zone: Zone, _actor: &ActorRef<DispatcherMsg>) {
        for courier in self.couriers.actors() {
            // A courier that just stopped has nothing to re-announce.
            let _ = courier.cast(CourierMsg::DispatcherRestarted(zone));
        }
        self.router.resume(Resume::Zone(zone));
    }
}
