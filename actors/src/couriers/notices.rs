//! What a courier actor tells its zone's dispatcher, and where it goes.
//! A courier reports to the dispatcher of the zone it was in when it last
//! became free; crossing into another zone while idle re-homes it (the old
//! dispatcher hears it is gone). A [`NoticeBoard`] knows the zones and
//! carries the notices: the engine's zone dispatchers, or a plain channel for
//! a single zone (tests, tools).

use foodiefast_geo::order::Courier;
use foodiefast_geo::{CourierId, OrderId, Point};
use tokio::sync::mpsc::UnboundedSender;

use crate::domain::courier::{Offer, OfferAnswer};
use crate::zoning::Zone;

/// What a courier actor tells its zone's dispatcher.
#[derive(Debug, Clone, PartialEq)]
pub enum CourierNotice {
    /// Free for offers, from `courier.position` at `courier.free_at`.
    Available(Courier),
    /// No longer free (offline, busy with an accepted offer, or moved to
    /// another zone).
    Gone(CourierId),
    /// An offer ended; the orders are the courier's, or go back to matching.
    OfferEnded {
        /// Who.
        courier: CourierId,
        /// The offer.
        offer: Offer,
        /// How it ended.
        answer: OfferAnswer,
    },
    /// The courier went offline holding orders not yet picked up.
    Released {
        /// Who.
        courier: CourierId,
        /// The orders, back to matching.
        orders: Vec<OrderId>,
    },
}

/// Where courier notices go.
pub trait NoticeBoard: Send + Sync + 'static {
    /// The zone a position lies in.
    fn zone_of(&self, at: Point) -> Zone;

    /// Tells `zone`'s dispatcher (without waiting).
    fn notify(&self, zone: Zone, notice: CourierNotice);
}

/// A single zone: every notice goes down one channel.
impl NoticeBoard for UnboundedSender<CourierNotice> {
    fn zone_of(&self, _at: Point) -> Zone {
        Zone::City
    }

    fn notify(&self, _zone: Zone, notice: CourierNotice) {
        // The receiver gone means the zone is shutting down; nothing to tell.
        let _ = self.send(notice);
    }
}
