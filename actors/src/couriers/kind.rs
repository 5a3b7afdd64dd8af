//! Courier actors under a [`KeyedSupervisor`](crate::supervisor::KeyedSupervisor):
//! how one starts (offline, until the app says otherwise) and how one is
//! rebuilt after a failure, or after a restart of the process while it
//! carried orders: status, position and shift from the courier read model,
//! the trip from the [`TripLedger`], and its dispatcher told again that it
//! is free.

use std::sync::Arc;

use foodiefast_geo::CourierId;
use ractor::{Actor, ActorCell, ActorProcessingErr, ActorRef};

use super::actor::{CourierActor, CourierArgs, CourierMsg};
use super::notices::NoticeBoard;
use super::trips::TripLedger;
use crate::clock::Clock;
use crate::domain::courier::CourierState;
use crate::store::CourierStore;
use crate::supervisor::ChildKind;
use crate::tracking::TrackingHub;

/// How courier actors start and restart.
pub struct CourierKind {
    /// Where statuses are recorded and read back.
    pub store: Arc<dyn CourierStore>,
    /// Live updates.
    pub hub: Arc<TrackingHub>,
    /// Engine time.
    pub clock: Clock,
    /// Where notices to the dispatchers go.
    pub board: Arc<dyn NoticeBoard>,
    /// Orders carried, kept across restarts.
    pub trips: Arc<TripLedger>,
}

impl std::fmt::Debug for CourierKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CourierKind").finish_non_exhaustive()
    }
}

impl ChildKind for CourierKind {
    type Key = CourierId;
    type Msg = CourierMsg;
    const KIND: &'static str = "courier";

    async fn spawn(
        &self,
        id: CourierId,
        supervisor: ActorCell,
        after_failure: bool,
    ) -> Result<ActorRef<CourierMsg>, ActorProcessingErr> {
        let trip = self.trips.carried_by(id);
        let resume = if after_failure || !trip.is_empty() {
            self.store.courier_view(id).await?.map(|view| {
                CourierState::restore(
                    view.status,
                    view.position,
                    view.shift_end,
                    trip.orders,
                    trip.on_board,
                )
            })
        } else {
            None
        };
        let args = CourierArgs {
            id,
            store: self.store.clone(),
            hub: self.hub.clone(),
            clock: self.clock,
            board: self.board.clone(),
            trips: self.trips.clone(),
            resume,
        };
        let (actor, _) = Actor::spawn_linked(None, CourierActor, args, supervisor).await?;
        Ok(actor)
    }

    fn restarted(&self, _id: CourierId, actor: &ActorRef<CourierMsg>) {
        // Now that offers can reach it, the dispatcher may hear it is free.
        let _ = actor.cast(CourierMsg::Announce);
    }
}
