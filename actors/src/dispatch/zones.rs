//! The zone dispatchers of one engine: which zone a position lies in and
//! how a message reaches that zone's dispatcher. A running dispatcher is
//! reached directly; a zone without one yet goes through the dispatchers'
//! supervisor, which starts it and hands it the message first, so nothing
//! sent to a new zone overtakes what started it.

use std::sync::Arc;

use foodiefast_geo::Point;
use ractor::{ActorRef, MessagingErr};

use super::actor::DispatcherMsg;
use super::kind::DispatcherKind;
use crate::couriers::{CourierNotice, NoticeBoard};
use crate::directory::Directory;
use crate::supervisor::SupervisorMsg;
use crate::zoning::{Zone, Zoning};

/// Running dispatchers, by zone.
pub type DispatcherDirectory = Directory<Zone, DispatcherMsg>;

/// Every zone's dispatcher, reachable by zone or by position.
#[derive(Debug)]
pub struct ZoneDispatchers {
    zoning: Zoning,
    running: Arc<DispatcherDirectory>,
    supervisor: ActorRef<SupervisorMsg<DispatcherKind>>,
}

impl ZoneDispatchers {
    /// The dispatchers of `running`, started on demand by `supervisor`.
    pub fn new(
        zoning: Zoning,
        running: Arc<DispatcherDirectory>,
        supervisor: ActorRef<SupervisorMsg<DispatcherKind>>,
    ) -> Self {
        Self {
            zoning,
            running,
            supervisor,
        }
    }

    /// The zone `at` lies in.
    pub fn zone_of(&self, at: Point) -> Zone {
        self.zoning.zone_of(at)
    }

    /// Zones with a running dispatcher, in order.
    pub fn zones(&self) -> Vec<Zone> {
        let mut zones = self.running.keys();
        zones.sort();
        zones
    }

    /// `zone`'s running dispatcher.
    pub fn get(&self, zone: Zone) -> Option<ActorRef<DispatcherMsg>> {
        self.running.get(&zone)
    }

    /// Sends `message` to `zone`'s dispatcher, starting it if needed.
    pub fn send(&self, zone: Zone, message: DispatcherMsg) {
        let message = match self.running.get(&zone) {
            Some(dispatcher) => match dispatcher.cast(message) {
                // It stopped meanwhile: its supervisor knows what comes next.
                Err(MessagingErr::SendErr(message)) => message,
                _ => return,
            },
            None => message,
        };
        // The supervisor gone means the engine is shutting down.
        let _ = self.supervisor.cast(SupervisorMsg::Deliver(zone, message));
    }
}

impl NoticeBoard for ZoneDispatchers {
    fn zone_of(&self, at: Point) -> Zone {
        self.zoning.zone_of(at)
    }

    fn notify(&self, zone: Zone, notice: CourierNotice) {
        self.send(zone, DispatcherMsg::Courier(notice));
    }
}
