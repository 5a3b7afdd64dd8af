//! What happened during a replay, kept in the model of the MDRP solution
//! files: every accepted assignment with its timetable becomes an
//! [`Assignment`], the courier's [`Move`]s and each order's [`Delivery`].

use std::collections::BTreeMap;

use foodiefast_geo::{CourierId, OrderId, Seconds};

use super::simulator::{Errand, Timetable};
use crate::mdrp::{Assignment, Delivery, Instance, Move, OrderRecord, Place, Solution};

/// The solution being written as the day goes.
#[derive(Debug, Default)]
pub(super) struct Recorder {
    assignments: Vec<Assignment>,
    deliveries: BTreeMap<OrderId, Delivery>,
    routes: BTreeMap<CourierId, Vec<Move>>,
}

impl Recorder {
    /// `courier`, at `from`, accepted `errand` at `accepted_at` and will play
    /// it out by `timetable`.
    pub(super) fn assigned(
        &mut self,
        courier: CourierId,
        from: Place,
        accepted_at: Seconds,
        errand: &Errand,
        timetable: &Timetable,
    ) {
        // The engine's seconds become the whole minute the assignment fell in:
        // never before the placement (a whole minute), never after the departure.
        let assigned_at = Seconds::from_minutes(accepted_at.0.div_euclid(60));
        self.assignments.push(Assignment {
            assigned_at,
            pickup_at: timetable.pickup,
            courier,
            orders: errand.stops.iter().map(|s| s.order).collect(),
        });
        let moves = self.routes.entry(courier).or_default();
        moves.push(Move {
            departure: timetable.departure,
            origin: from,
            destination: errand.restaurant.place,
        });
        let mut origin = errand.restaurant.place;
        for drop_off in &timetable.drop_offs {
            let destination = Place::Customer(drop_off.order);
            moves.push(Move {
                departure: drop_off.departure,
                origin,
                destination,
            });
            origin = destination;
            self.deliveries.insert(
                drop_off.order,
                Delivery {
                    pickup_at: timetable.pickup,
                    drop_off_at: drop_off.at,
                    courier,
                },
            );
        }
    }

    /// `courier`, idle, set off for a restaurant with no order to fetch
    /// (prepositioning).
    pub(super) fn moved(&mut self, courier: CourierId, step: Move) {
        self.routes.entry(courier).or_default().push(step);
    }

    /// The solution: one record per order of `instance`, delivered or not.
    pub(super) fn finish(self, instance: &Instance) -> Solution {
        let orders = instance
            .orders()
            .iter()
            .map(|o| OrderRecord {
                order: o.id,
                placed_at: o.placed_at,
                ready_at: o.ready_at,
                delivery: self.deliveries.get(&o.id).copied(),
            })
            .collect();
        Solution {
            assignments: self.assignments,
            orders,
            routes: self.routes,
        }
    }
}
