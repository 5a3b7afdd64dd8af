//! Every chef's kitchen runs in the engine as the store says it should: its
//! kitchen actor takes the orders sent to the chef, rejects one left
//! unanswered at its deadline (`KITCHEN_ANSWER_SECONDS`), and refuses new
//! orders at once while closed or busy. A kitchen is open while its chef
//! accepts orders and its opening hours include now, closed otherwise; a
//! closed kitchen still runs, to serve and time out the orders it holds.
//! Busy mode is stored with the kitchen, so it outlives a restart and
//! reaches every server.
//!
//! The door is brought in line with the store at start-up (every kitchen),
//! when the chef saves the kitchen, before each placement and chef action
//! (so an order never meets a door the store disagrees with), and by a
//! sweep every [`SWEEP_PERIOD`] for opening hours that turn over while
//! nobody orders. A sync that finds the engine already right costs a map
//! lookup.

use std::time::Duration;

use foodiefast_actors::EngineError;
use foodiefast_actors::kitchens::{KitchenDoor, KitchenSettings};
use foodiefast_geo::Seconds;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use crate::catalog::Kitchen;
use crate::gateway::error::ApiError;
use crate::gateway::state::AppState;

/// How often every kitchen's door is checked against its opening hours
/// (hours are whole minutes: a door turns at most this late, and a
/// placement checks its kitchen itself).
pub const SWEEP_PERIOD: Duration = Duration::from_secs(30);

/// The engine's settings for `kitchen`.
fn settings_of(state: &AppState, kitchen: &Kitchen) -> KitchenSettings {
    KitchenSettings {
        position: state.projection.to_point(kitchen.details.position),
        answer_within: state.kitchen_answer,
    }
}

/// Brings `kitchen`'s door in the engine in line with the store at `now`
/// (starting its actor if needed); the door as it then stands.
pub async fn sync(
    state: &AppState,
    kitchen: &Kitchen,
    now: Seconds,
) -> Result<KitchenDoor, EngineError> {
    let settings = settings_of(state, kitchen);
    let open = kitchen.is_open_at(now.0, state.utc_offset_minutes);
    let busy_until = kitchen.busy_until.map(Seconds);
    let mut door = match state.engine.kitchen_door(kitchen.id) {
        Some(door) if door.open == open && door.settings == settings => door,
        _ => {
            state
                .engine
                .set_kitchen_door(kitchen.id, settings, open)
                .await?;
            state
                .engine
                .kitchen_door(kitchen.id)
                .ok_or(EngineError::KitchenNotOpen(kitchen.id))?
        }
    };
    if door.busy_until != busy_until {
        state
            .engine
            .set_kitchen_busy(kitchen.id, busy_until)
            .await?;
        door.busy_until = busy_until;
    }
    Ok(door)
}

/// Whether `kitchen` takes a new order now: `409 kitchen_closed` when it is
/// switched off or outside its hours, `409 kitchen_busy` in busy mode.
pub async fn admit(state: &AppState, kitchen: &Kitchen) -> Result<(), ApiError> {
    let now = state.engine.clock().now();
    let door = sync(state, kitchen, now).await?;
    if !door.open {
        return Err(ApiError::KitchenClosed);
    }
    match door.busy_until {
        Some(until) if now < until => Err(ApiError::KitchenBusy { until: until.0 }),
        _ => Ok(()),
    }
}

/// Syncs every kitchen of the store; a kitchen that fails is logged and
/// left for the next sweep. Returns how many kitchens there are.
pub async fn sync_all(state: &AppState) -> Result<usize, ApiError> {
    let kitchens = state.store.kitchens().await?;
    let now = state.engine.clock().now();
    for kitchen in &kitchens {
        if let Err(err) = sync(state, kitchen, now).await {
            tracing::warn!(kitchen = %kitchen.id, error = %err, "kitchen door not synced");
        }
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
