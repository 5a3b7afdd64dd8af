//! How a position received by a tracker is matched to the frame that sent
//! it, without adding anything to the protocol: each courier walks a small
//! grid of [`SLOTS`] distinct points around its own origin, the point of a
//! frame naming its sequence number modulo [`SLOTS`], and the time each
//! slot was last sent is kept here. A tracker decodes the slot from the
//! position it receives and reads back when it was sent.
//!
//! A slot is overwritten [`SLOTS`] positions later (51 s at 5 Hz), so a
//! latency beyond that would read short; the grid step (about a metre) is
//! far above the error of the server's projection round trip.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Distinct points per courier: its sequence numbers modulo this.
pub const SLOTS: usize = 256;
/// Points per grid row.
const ROW: usize = 16;
/// Grid step, degrees (about 1.1 m of latitude).
const STEP_DEGREES: f64 = 1e-5;
/// How far apart couriers' origins are, degrees.
const ORIGIN_SPACING_DEGREES: f64 = 2e-3;
/// Origins per row of the couriers' own grid (100 x 100 origins span
/// about 22 km by 14 km at Berlin's latitude).
const ORIGINS_PER_ROW: usize = 100;
/// How close a received coordinate must be to a grid point, in steps.
const MATCH_TOLERANCE_STEPS: f64 = 0.25;

/// A WGS84 point, degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatLngDegrees {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lng: f64,
}

/// Courier `index`'s origin: couriers spread on a grid around `centre`.
pub fn origin(centre: LatLngDegrees, index: usize) -> LatLngDegrees {
    let half = (ORIGINS_PER_ROW / 2) as f64;
    let row = (index / ORIGINS_PER_ROW % ORIGINS_PER_ROW) as f64 - half;
    let column = (index % ORIGINS_PER_ROW) as f64 - half;
    LatLngDegrees {
        lat: centre.lat + row * ORIGIN_SPACING_DEGREES,
        lng: centre.lng + column * ORIGIN_SPACING_DEGREES,
    }
}

/// The point of the frame with sequence number `seq` from `origin`.
pub fn encode(origin: LatLngDegrees, seq: u64) -> LatLngDegrees {
    let slot = (seq % SLOTS as u64) as usize;
    LatLngDegrees {
        lat: origin.lat + (slot / ROW) as f64 * STEP_DEGREES,
        lng: origin.lng + (slot % ROW) as f64 * STEP_DEGREES,
    }
}

/// The slot of a received `point` of the courier at `origin`, if it is one
/// of the grid's points.
pub fn decode(origin: LatLngDegrees, point: LatLngDegrees) -> Option<usize> {
    let steps = |from: f64, to: f64| {
        let steps = (to - from) / STEP_DEGREES;
        let whole = steps.round();
        ((steps - whole).abs() <= MATCH_TOLERANCE_STEPS && whole >= 0.0).then_some(whole as usize)
    };
    let row = steps(origin.lat, point.lat)?;
    let column = steps(origin.lng, point.lng)?;
    (row < SLOTS / ROW && column < ROW).then_some(row * ROW + column)
}

/// When each courier's slots were last sent, nanoseconds after `start`.
#[derive(Debug)]
pub struct SendTimes {
    start: Instant,
    slots: Vec<AtomicU64>,
}

impl SendTimes {
    /// Slots for `couriers` couriers.
    pub fn new(couriers: usize) -> Self {
        Self {
            start: Instant::now(),
            slots: (0..couriers * SLOTS).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// Nanoseconds since the start.
    pub fn now(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }

    /// Records that courier `courier` sends slot `slot` now.
    pub fn sent(&self, courier: usize, slot: usize) {
        if let Some(cell) = self.slots.get(courier * SLOTS + slot) {
            cell.store(self.now(), Ordering::Relaxed);
        }
    }

    /// Microseconds since courier `courier` sent slot `slot`, if it did.
    pub fn since_sent(&self, courier: usize, slot: usize) -> Option<u64> {
        let sent = self
            .slots
            .get(courier * SLOTS + slot)?
            .load(Ordering::Relaxed);
        (sent > 0).then(|| self.now().saturating_sub(sent) / 1_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CENTRE: LatLngDegrees = LatLngDegrees {
        lat: 52.52,
        lng: 13.405,
    };

    #[test]
    fn every_slot_decodes_to_itself_even_after_a_rounding_trip() {
        for index in [0, 1, 99, 100, 9_999] {
            let at = origin(CENTRE, index);
            for seq in 0..(2 * SLOTS as u64) {
                let point = encode(at, seq);
                let nudged = LatLngDegrees {
                    lat: point.lat + 1e-9,
                    lng: point.lng - 1e-9,
                };
                assert_eq!(decode(at, nudged), Some(seq as usize % SLOTS));
            }
        }
    }

    #[test]
    fn points_off_the_grid_decode_to_nothing() {
        let at = origin(CENTRE, 7);
        let off = |dlat: f64, dlng: f64| LatLngDegrees {
            lat: at.lat + dlat,
            lng: at.lng + dlng,
        };
        assert_eq!(decode(at, off(0.5 * STEP_DEGREES, 0.0)), None);
        assert_eq!(decode(at, off(-STEP_DEGREES, 0.0)), None);
        assert_eq!(decode(at, off(0.0, ROW as f64 * STEP_DEGREES)), None);
        assert_eq!(decode(at, off(16.0 * STEP_DEGREES, 0.0)), None);
    }

    #[test]
    fn couriers_have_distinct_origins_further_apart_than_their_grids() {
        let a = origin(CENTRE, 0);
        let b = origin(CENTRE, 1);
        let c = origin(CENTRE, ORIGINS_PER_ROW);
        assert!((b.lng - a.lng) > ROW as f64 * STEP_DEGREES);
        assert!((c.lat - a.lat) > (SLOTS / ROW) as f64 * STEP_DEGREES);
    }

    #[test]
    fn send_times_are_read_back_per_courier_and_slot() {
        let times = SendTimes::new(2);
        assert_eq!(times.since_sent(1, 3), None);
        times.sent(1, 3);
        assert!(times.since_sent(1, 3).is_some());
        assert_eq!(times.since_sent(0, 3), None);
        assert_eq!(times.since_sent(2, 0), None);
    }
}
