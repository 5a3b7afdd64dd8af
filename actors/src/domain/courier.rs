//! Courier states as the engine tracks them.

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
        [
            Self::Offline,
            Self::Idle,
            Self::Offered,
            Self::HeadingToPickup,
            Self::WaitingAtRestaurant,
            Self::Delivering,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}
