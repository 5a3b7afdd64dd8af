//! `foodiefast replay`: the real engine (the same actors, dispatcher and geo
//! code as `serve`) driven through an MDRP instance's day on paused tokio
//! time, its outcome written as an MDRP solution.
//!
//! - `run.rs`: the day's driver (events in time order, offers answered);
//! - `kitchens.rs`: the simulated chefs;
//! - `simulator.rs`: the courier simulator's timing rules;
//! - `recorder.rs`: what happened, as a [`Solution`](crate::mdrp::Solution);
//! - `synthetic.rs`: synthetic days of any size, for load tests.

mod kitchens;
mod recorder;
mod run;
pub mod simulator;
pub mod synthetic;

use std::time::Duration;

use foodiefast_actors::EngineError;
use foodiefast_actors::dispatch::DispatchParams;
use foodiefast_actors::kitchens::KitchenActorError;
use foodiefast_geo::preposition::PrepositionParams;
use foodiefast_geo::{CourierId, GeoError, OrderId};

pub use run::replay;

/// How a replay dispatches.
#[derive(Debug, Clone, Copy)]
pub struct ReplaySettings {
    /// Period of the zone's matching round.
    pub dispatch_period: Duration,
    /// The dispatcher's parameters; `None`: the engine's defaults. The
    /// service times and the click-to-door target are always the instance's.
    pub dispatch: Option<DispatchParams>,
    /// Whether the engine hears of the day's courier shifts when the day
    /// starts (MDRP schedules are planned ahead), rather than only as each
    /// courier comes online.
    pub announce_shifts: bool,
    /// Prepositioning (the MDRP variant, reported as such): `None` off;
    /// otherwise the dispatcher sends idle couriers towards restaurants
    /// short of couriers, and the simulated couriers ride there.
    pub preposition: Option<PrepositionParams>,
}

impl Default for ReplaySettings {
    fn default() -> Self {
        Self {
            dispatch_period: Duration::from_secs(10),
            dispatch: None,
            announce_shifts: true,
            preposition: None,
        }
    }
}

/// Why a replay stopped.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The paused-time runtime could not be built.
    #[error("cannot start the replay's runtime")]
    Runtime(#[source] std::io::Error),
    /// The instance's parameters are unusable.
    #[error("invalid instance parameters")]
    Parameters(#[from] GeoError),
    /// The engine refused a step of the day.
    #[error("the engine refused a step of the day")]
    Engine(#[from] EngineError),
    /// A kitchen refused a chef's step.
    #[error("a kitchen refused a chef's step")]
    Kitchen(#[from] KitchenActorError),
    /// An offer named an order the instance does not have.
    #[error("offer of unknown order {0}")]
    UnknownOrder(OrderId),
    /// A courier the instance does not have was named.
    #[error("unknown courier {0}")]
    UnknownCourier(CourierId),
    /// An offer with no order reached a courier.
    #[error("empty offer to courier {0}")]
    EmptyOffer(CourierId),
}
