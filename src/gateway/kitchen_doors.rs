//! Every chef's kitchen runs in the engine as the store says it should: its
//! kitchen actor takes the orders sent to the chef, rejects one left
//! unanswered at its deadline (`KITCHEN_ANSWER_SECONDS`), and refuses new
//! orders at once while closed or busy. A kitchen is open while its chef
//! accepts orders and its opening hours include now, closed otherwise; a
//! closed kitchen still runs, to serve and time out the orders it holds.
//! Busy mode is stored with the kitchen, so it outlives a restart and
//! reaches every server.
//!
//! The door is brought in line with the store at start-up (every kitchen
//! of the zones running here; in a cluster, as each zone starts),
//! when the chef saves the kitchen, before each placement and chef action
//! (so an order never meets a door the store disagrees with), and by a
//! sweep every [`SWEEP_PERIOD`] for opening hours that turn over while
//! nobody orders. A sync that finds the engine already right costs a map
//! lookup.

use std::time::Duration;

use foodiefast_actors::kitchens::{KitchenDoor, KitchenQueue, KitchenSettings};
use foodiefast_actors::{Engine, EngineError};
use foodiefast_geo::{LocalProjection, RestaurantId, Seconds};
use serde::{Deserialize, Serialize};
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use crate::catalog::Kitchen;
use crate::gateway::error::ApiError;
use crate::gateway::state::AppState;

/// How often every kitchen's door is checked against its opening hours
/// (hours are whole minutes: a door turns at most this late, and a
/// placement checks its kitchen itself).
pub const SWEEP_PERIOD: Duration = Duration::from_secs(30);

/// How the store says a kitchen's door should stand at some moment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WantedDoor {
    /// Where it is and how long its chef has to answer.
    pub settings: KitchenSettings,
    /// Open (switched on and within its hours).
    pub open: bool,
    /// Busy mode until then.
    pub busy_until: Option<Seconds>,
}

/// What turns a stored kitchen into its door: the city's frame and clock
/// offset, and the chef's time to answer.
#[derive(Debug, Clone, Copy)]
pub struct DoorRules {
    /// WGS84 to the engine's plane.
    pub projection: LocalProjection,
    /// The city's offset from UTC, minutes (opening hours).
    pub utc_offset_minutes: i32,
    /// How long a chef has to answer a new order.
    pub kitchen_answer: Seconds,
}

impl DoorRules {
    /// The rules of the gateway behind `state`.
    pub fn of(state: &AppState) -> Self {
        Self {
            projection: state.projection,
            utc_offset_minutes: state.utc_offset_minutes,
            kitchen_answer: state.kitchen_answer,
        }
    }

    /// How `kitchen`'s door should stand at `now`.
    pub fn wanted(&self, kitchen: &Kitchen, now: Seconds) -> WantedDoor {
        WantedDoor {
            settings: KitchenSettings {
                position: self.projection.to_point(kitchen.details.position),
                answer_within: self.kitchen_answer,
            },
            open: kitchen.is_open_at(now.0, self.utc_offset_minutes),
            busy_until: kitchen.busy_until.map(Seconds),
        }
    }
}

/// Brings kitchen `id`'s door in `engine` in line with `wanted` (starting
/// its actor if needed); the door as it then stands.
pub async fn apply(
    engine: &Engine,
    id: RestaurantId,
    wanted: WantedDoor,
) -> Result<KitchenDoor, EngineError> {
    let mut door = match engine.kitchen_door(id) {
        Some(door) if door.open == wanted.open && door.settings == wanted.settings => door,
        _ => {
            engine
                .set_kitchen_door(id, wanted.settings, wanted.open)
                .await?;
            engine
                .kitchen_door(id)
                .ok_or(EngineError::KitchenNotOpen(id))?
        }
    };
    if door.busy_until != wanted.busy_until {
        engine.set_kitchen_busy(id, wanted.busy_until).await?;
        door.busy_until = wanted.busy_until;
    }
    Ok(door)
}

/// Brings `kitchen`'s door in line with the store at `now`, in the engine
/// of its zone wherever that runs; the door as it then stands.
pub async fn sync(
    state: &AppState,
    kitchen: &Kitchen,
    now: Seconds,
) -> Result<KitchenDoor, ApiError> {
    let wanted = DoorRules::of(state).wanted(kitchen, now);
    let zone = state.engines.kitchen_zone(kitchen);
    state.engines.sync_door(&zone, kitchen.id, wanted).await
}

/// [`sync`] at the engines' now, then what `kitchen`'s tablet shows.
pub async fn door_and_queue(
    state: &AppState,
    kitchen: &Kitchen,
) -> Result<(KitchenDoor, KitchenQueue), ApiError> {
    let door = sync(state, kitchen, state.engines.clock().now()).await?;
    let zone = state.engines.kitchen_zone(kitchen);
    let queue = state.engines.kitchen_queue(&zone, kitchen.id).await?;
    Ok((door, queue))
}

/// Opens, in `engine` (the engine of `zone`), the door of every kitchen of
/// `kitchens` in that zone; a kitchen that fails is logged and left for the
/// next sweep. Returns how many were opened.
pub async fn open_zone(
    engine: &Engine,
    rules: &DoorRules,
    kitchens: &[Kitchen],
    now: Seconds,
) -> usize {
    let mut opened = 0;
    for kitchen in kitchens {
        match apply(engine, kitchen.id, rules.wanted(kitchen, now)).await {
            Ok(_) => opened += 1,
            Err(err) => {
                tracing::warn!(kitchen = %kitchen.id, error = %err, "kitchen door not synced");
            }
        }
    }
    opened
}

/// Whether `kitchen` takes a new order now: `409 kitchen_closed` when it is
/// switched off or outside its hours, `409 kitchen_busy` in busy mode.
pub async fn admit(state: &AppState, kitchen: &Kitchen) -> Result<(), ApiError> {
    let now = state.engines.clock().now();
    let door = sync(state, kitchen, now).await?;
    if !door.open {
        return Err(ApiError::KitchenClosed);
    }
    match door.busy_until {
        Some(until) if now < until => Err(ApiError::KitchenBusy { until: until.0 }),
        _ => Ok(()),
    }
}

/// Syncs every kitchen of the store whose zone runs in this process (in
/// a cluster, each node sweeps its own zones); a kitchen that fails is
/// logged and left for the next sweep. Returns how many kitchens there are.
pub async fn sync_all(state: &AppState) -> Result<usize, ApiError> {
    let kitchens = state.store.kitchens().await?;
    let now = state.engines.clock().now();
    let rules = DoorRules::of(state);
    for (zone, engine) in state.engines.local() {
        let here: Vec<Kitchen> = kitchens
            .iter()
            .filter(|kitchen| state.engines.kitchen_zone(kitchen) == zone)
            .cloned()
            .collect();
        open_zone(&engine, &rules, &here, now).await;
    }
    Ok(kitchens.len())
}

/// The periodic sweep; stops when dropped.
#[derive(Debug)]
pub struct Sweeper(Option<JoinHandle<()>>);

impl Sweeper {
    /// Starts sweeping every [`SWEEP_PERIOD`] (the first sweep one period
    /// from now: start-up syncs every kitchen itself).
    pub fn start(state: AppState) -> Self {
        Self(Some(tokio::spawn(async move {
            let start = tokio::time::Instant::now() + SWEEP_PERIOD;
            let mut tick = tokio::time::interval_at(start, SWEEP_PERIOD);
            tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(err) = sync_all(&state).await {
                    tracing::warn!(error = %err, "kitchen doors not swept");
                }
            }
        })))
    }

    /// Stops sweeping and waits until the sweep let go of the state.
    pub async fn stop(mut self) {
        if let Some(task) = self.0.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for Sweeper {
    fn drop(&mut self) {
        if let Some(task) = &self.0 {
            task.abort();
        }
    }
}
