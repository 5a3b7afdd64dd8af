//! The operations map's courier layer: where each online courier last said
//! it was. The engine publishes positions only to the orders a courier
//! carries, so the gateway keeps the latest one per courier as positions
//! arrive (one small map write per position) for `GET /admin/live`.

use std::collections::HashMap;
use std::sync::Mutex;

use foodiefast_geo::{CourierId, Point};

/// Latest positions of online couriers.
#[derive(Debug, Default)]
pub struct LiveBoard {
    positions: Mutex<HashMap<CourierId, Point>>,
}

impl LiveBoard {
    /// Courier `id` is at `at`.
    pub fn moved(&self, id: CourierId, at: Point) {
        if let Ok(mut positions) = self.positions.lock() {
            positions.insert(id, at);
        }
    }

    /// Courier `id` went offline.
    pub fn gone(&self, id: CourierId) {
        if let Ok(mut positions) = self.positions.lock() {
            positions.remove(&id);
        }
    }

    /// Every known courier and position, by id, at most `limit`.
    pub fn snapshot(&self, limit: usize) -> Vec<(CourierId, Point)> {
        let Ok(positions) = self.positions.lock() else {
            return Vec::new();
        };
        let mut all: Vec<(CourierId, Point)> =
            positions.iter().map(|(&id, &at)| (id, at)).collect();
        all.sort_by_key(|(id, _)| id.0);
        all.truncate(limit);
        all
    }
}
