//! The couriers a matching round may use: their spatial index and what the
//! round needs besides position (when each is free, when its shift ends).

use std::collections::HashMap;

use crate::order::Courier;
use crate::{CourierId, CourierIndex, GeoError};

/// Couriers available for matching, indexed by where they will next be free.
#[derive(Debug, Clone, Default)]
pub struct Fleet {
    index: CourierIndex,
    couriers: HashMap<CourierId, Courier>,
}

impl Fleet {
    /// An empty fleet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A fleet of `couriers`, bulk-loaded; refuses a courier listed twice.
    pub fn from_couriers(couriers: impl IntoIterator<Item = Courier>) -> Result<Self, GeoError> {
        let couriers: HashMap<CourierId, Courier> = {
            let mut map = HashMap::new();
            for c in couriers {
                if map.insert(c.id, c).is_some() {
                    return Err(GeoError::DuplicateCourier(c.id));
                }
            }
            map
        };
        let index = CourierIndex::bulk_load(couriers.values().map(|c| (c.id, c.position)))?;
        Ok(Self { index, couriers })
    }

    /// Adds a courier or replaces what the fleet knew of it.
    pub fn upsert(&mut self, courier: Courier) {
        self.index.upsert(courier.id, courier.position);
        self.couriers.insert(courier.id, courier);
    }

    /// Takes a courier out of the fleet (assigned, off shift, offline).
    pub fn remove(&mut self, id: CourierId) -> Option<Courier> {
        self.index.remove(id);
        self.couriers.remove(&id)
    }

    /// What the fleet knows of a courier.
    pub fn get(&self, id: CourierId) -> Option<&Courier> {
        self.couriers.get(&id)
    }

    /// The spatial index of the fleet.
    pub fn index(&self) -> &CourierIndex {
        &self.index
    }

    /// Number of couriers.
    pub fn len(&self) -> usize {
        self.couriers.len()
    }

    /// Whether the fleet is empty.
    pub fn is_empty(&self) -> bool {
        self.couriers.is_empty()
    }

    /// Every courier, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &Courier> {
        self.couriers.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Point, Seconds};

    fn courier(id: u64, x: f64) -> Courier {
        Courier {
            id: CourierId(id),
            position: Point::new(x, 0.0).expect("valid"),
            free_at: Seconds(0),
            shift_end: Seconds(3_600),
        }
    }

    #[test]
    fn index_and_attributes_stay_in_step() {
        let mut fleet =
            Fleet::from_couriers([courier(1, 0.0), courier(2, 10.0)]).expect("distinct ids");
        fleet.upsert(courier(1, 50.0));
        fleet.upsert(courier(3, 20.0));
        assert_eq!(fleet.len(), 3);
        assert_eq!(
            fleet.index().position(CourierId(1)),
            Some(courier(1, 50.0).position)
        );
        assert_eq!(fleet.remove(CourierId(2)), Some(courier(2, 10.0)));
        assert!(!fleet.index().contains(CourierId(2)));
        assert_eq!(fleet.index().len(), fleet.len());
        assert_eq!(fleet.remove(CourierId(2)), None);
    }

    #[test]
    fn duplicate_couriers_are_refused() {
        let r = Fleet::from_couriers([courier(1, 0.0), courier(1, 10.0)]);
        assert!(matches!(r, Err(GeoError::DuplicateCourier(CourierId(1)))));
    }
}
