//! Kitchen actors under a [`KeyedSupervisor`](crate::supervisor::KeyedSupervisor):
//! what the chef last set (open or closed, busy mode) is remembered here,
//! outside the actor, so that a kitchen rebuilt after a failure starts as
//! the chef left it; its queue comes back from the orders themselves, which
//! are asked to tell it again where they stand.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use foodiefast_geo::{Point, RestaurantId, Seconds};
use ractor::{Actor, ActorCell, ActorProcessingErr, ActorRef};

use super::actor::{KitchenActor, KitchenArgs, KitchenMsg};
use crate::clock::Clock;
use crate::orders::OrderRouter;
use crate::reactions::Resume;
use crate::supervisor::ChildKind;

/// How a chef's kitchen is set up when it opens.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KitchenSettings {
    /// Where the kitchen is (the city's planar frame).
    pub position: Point,
    /// How long the chef has to answer an incoming order.
    pub answer_within: Seconds,
}

/// What the chef last set, per kitchen.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KitchenDoor {
    /// The kitchen's settings.
    pub settings: KitchenSettings,
    /// Open to new orders.
    pub open: bool,
    /// Busy mode until then.
    pub busy_until: Option<Seconds>,
}

/// How kitchen actors start and restart.
#[derive(Debug)]
pub struct KitchenKind {
    /// Where the chef's answers go.
    pub router: Arc<OrderRouter>,
    /// Engine time.
    pub clock: Clock,
    doors: Mutex<HashMap<RestaurantId, KitchenDoor>>,
}

impl KitchenKind {
    /// Kitchens reaching orders through `router`.
    pub fn new(router: Arc<OrderRouter>, clock: Clock) -> Self {
        Self {
            router,
            clock,
            doors: Mutex::new(HashMap::new()),
        }
    }

    fn doors(&self) -> std::sync::MutexGuard<'_, HashMap<RestaurantId, KitchenDoor>> {
        // Each change is one insert: a poisoned lock holds whole data.
        self.doors
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Remembers what the chef set for `kitchen`.
    pub fn remember(&self, kitchen: RestaurantId, door: KitchenDoor) {
        self.doors().insert(kitchen, door);
    }

    /// What the chef last set for `kitchen`.
    pub fn door(&self, kitchen: RestaurantId) -> Option<KitchenDoor> {
        self.doors().get(&kitchen).copied()
    }
}

impl ChildKind for KitchenKind {
    type Key = RestaurantId;
    type Msg = KitchenMsg;
    const KIND: &'static str = "kitchen";

    async fn spawn(
        &self,
        id: RestaurantId,
        supervisor: ActorCell,
        _after_failure: bool,
    ) -> Result<ActorRef<KitchenMsg>, ActorProcessingErr> {
        let door = self
            .door(id)
            .ok_or_else(|| format!("kitchen {id} was never opened"))?;
        let args = KitchenArgs {
            id,
            router: self.router.clone(),
            clock: self.clock,
            answer_within: door.settings.answer_within,
            open: door.open,
            busy_until: door.busy_until,
        };
        let (actor, _) = Actor::spawn_linked(None, KitchenActor, args, supervisor).await?;
        Ok(actor)
    }

    fn restarted(&self, id: RestaurantId, _actor: &ActorRef<KitchenMsg>) {
        self.router.resume(Resume::Kitchen(id));
    }
}
