//! A courier's day as a list of stays: where it is, from when until when,
//! built from its moves with the instance's travel times. Building it checks
//! the moves themselves: continuous in space, consistent in time.

use foodiefast_geo::{CourierId, Point, Seconds, StraightLine, TravelModel};

use super::Violation;
use crate::mdrp::Shift;
use crate::mdrp::solution::{Minutes, Move, Place};

/// A time span a courier spends at one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stay {
    /// Where.
    pub(super) place: Place,
    /// When the courier gets there (its shift start, for the start location).
    pub(super) arrival: Seconds,
    /// When it leaves; `None` for the last stay.
    pub(super) departure: Option<Seconds>,
}

/// A courier's stays, in the order of its moves; the first is its start location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Timeline {
    pub(super) stays: Vec<Stay>,
}

impl Timeline {
    /// Builds the timeline of `courier` from its `moves`, reporting each move
    /// that does not set off from where the courier is, or sets off before
    /// it got there. `position` locates a place; a place it cannot locate
    /// has been reported already, and leaves the courier without a timeline.
    pub(super) fn build(
        courier: CourierId,
        shift: &Shift,
        moves: &[Move],
        position: impl Fn(Place) -> Option<Point>,
        model: StraightLine,
        violations: &mut Vec<Violation>,
    ) -> Option<Self> {
        let mut stays = vec![Stay {
            place: Place::Start,
            arrival: shift.on_time,
            departure: None,
        }];
        for (number, m) in (1..).zip(moves) {
            let from = position(m.origin)?;
            let to = position(m.destination)?;
            let here = stays.last_mut()?;
            if m.origin != here.place {
                violations.push(Violation::MoveDiscontinuous {
                    courier,
                    move_number: number,
                    origin: m.origin,
                    expected: here.place,
                });
            }
            if m.departure < here.arrival {
                violations.push(Violation::DepartureBeforeArrival {
                    courier,
                    place: here.place,
                    arrival: Minutes(here.arrival),
                    departure: Minutes(m.departure),
                });
            }
            here.departure = Some(m.departure);
            stays.push(Stay {
                place: m.destination,
                arrival: m.departure + model.travel_time(from, to),
                departure: None,
            });
        }
        Some(Self { stays })
    }

    /// The index of the stay at `place` that spans `t`, bounds included.
    pub(super) fn stay_at(&self, place: Place, t: Seconds) -> Option<usize> {
        self.stays
            .iter()
            .position(|s| s.place == place && s.arrival <= t && s.departure.is_none_or(|d| t <= d))
    }

    /// The stay at `index`.
    pub(super) fn get(&self, index: usize) -> Option<&Stay> {
        self.stays.get(index)
    }
}
