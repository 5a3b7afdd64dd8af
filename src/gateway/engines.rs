//! [`Engines`]: where the gateway's commands run. A single process runs
//! one engine for the whole city; a node of a cluster runs the engines of
//! the zones it owns, and sends a command for any other zone to that zone's
//! owner ([`crate::cluster::node`]). Handlers name the zone a command is
//! for (a kitchen's, an order's kitchen's, a courier's shift's) and get
//! the same answers, with the same errors, either way.
//!
//! Live feeds do not depend on zones: every engine of a process publishes
//! to the process's one tracking hub, and in a cluster every hub hears the
//! others' updates, so a feed opened on any node sees its order, kitchen or
//! courier wherever that runs.

use std::sync::Arc;

use foodiefast_actors::Engine;
use foodiefast_actors::clock::Clock;
use foodiefast_actors::dispatch::ZoneLoad;
use foodiefast_actors::domain::courier::{CourierStatus, OfferAnswer};
use foodiefast_actors::domain::order::{OrderCommand, OrderDetails, OrderStatus};
use foodiefast_actors::eta::EtaModel;
use foodiefast_actors::kitchens::{KitchenDoor, KitchenQueue};
use foodiefast_actors::store::{OrderStore, OrderView};
use foodiefast_actors::tracking::TrackingHub;
use foodiefast_geo::{CourierId, LatLng, OrderId, Point, RestaurantId, Seconds};

use super::error::ApiError;
use super::kitchen_doors::{self, WantedDoor};
use super::placement::hand_to_kitchen;
use super::routes::kitchen_orders::{ChefAction, carry_out};
use crate::catalog::Kitchen;
use crate::cluster::calls::Call;
use crate::cluster::node::ClusterNode;
use crate::store::Store;

/// The zone of a process that runs the whole city.
pub const CITY: &str = "city";

/// The engines behind this gateway.
#[derive(Debug, Clone)]
pub enum Engines {
    /// One engine runs everything (the default).
    One(Arc<Engine>),
    /// A node of a cluster.
    Cluster(Arc<ClusterNode>),
}

impl Engines {
    /// The engines' clock.
    pub fn clock(&self) -> Clock {
        match self {
            Self::One(engine) => engine.clock(),
            Self::Cluster(node) => node.clock(),
        }
    }

    /// The process's tracking hub.
    pub fn hub(&self) -> &Arc<TrackingHub> {
        match self {
            Self::One(engine) => engine.hub(),
            Self::Cluster(node) => node.hub(),
        }
    }

    /// The arrival estimates.
    pub fn eta(&self) -> &EtaModel {
        match self {
            Self::One(engine) => engine.eta(),
            Self::Cluster(node) => node.eta(),
        }
    }

    /// The engines running in this process, by zone.
    pub fn local(&self) -> Vec<(String, Arc<Engine>)> {
        match self {
            Self::One(engine) => vec![(CITY.to_owned(), engine.clone())],
            Self::Cluster(node) => node.engines(),
        }
    }

    /// The one engine of a process that runs the whole city.
    pub fn single(&self) -> Option<&Arc<Engine>> {
        match self {
            Self::One(engine) => Some(engine),
            Self::Cluster(_) => None,
        }
    }

    /// The cluster node, when this process is one.
    pub fn cluster(&self) -> Option<&Arc<ClusterNode>> {
        match self {
            Self::One(_) => None,
            Self::Cluster(node) => Some(node),
        }
    }

    /// Whether every engine running here is healthy.
    pub fn is_healthy(&self) -> bool {
        self.local().iter().all(|(_, engine)| engine.is_healthy())
    }

    /// Each dispatch zone running here and its live counts, by zone name.
    pub async fn zone_loads(&self) -> Vec<(String, ZoneLoad)> {
        match self {
            Self::One(engine) => engine
                .zone_loads()
                .await
                .into_iter()
                .map(|(zone, load)| (zone.to_string(), load))
                .collect(),
            Self::Cluster(node) => {
                let mut loads = Vec::new();
                for (zone, engine) in node.engines() {
                    let mut sum = ZoneLoad::default();
                    for (_, load) in engine.zone_loads().await {
                        sum.waiting += load.waiting;
                        sum.available += load.available;
                        sum.open_offers += load.open_offers;
                        sum.rounds_planned += load.rounds_planned;
                    }
                    loads.push((zone, sum));
                }
                loads
            }
        }
    }

    /// Orders live in the engines running here.
    pub fn live_orders(&self) -> usize {
        self.local().iter().map(|(_, e)| e.live_orders()).sum()
    }

    /// Orders in `status` in the engines running here.
    pub fn orders_in(&self, status: OrderStatus) -> usize {
        self.local().iter().map(|(_, e)| e.orders_in(status)).sum()
    }

    /// The ids of orders in `status` in the engines running here.
    pub fn orders_with_status(&self, status: OrderStatus) -> Vec<OrderId> {
        self.local()
            .iter()
            .flat_map(|(_, e)| e.orders_with_status(status))
            .collect()
    }

    /// Couriers online in the engines running here.
    pub fn couriers_online(&self) -> usize {
        self.local().iter().map(|(_, e)| e.couriers_online()).sum()
    }

    /// The engine running here for `zone`.
    pub fn local_engine(&self, zone: &str) -> Option<Arc<Engine>> {
        match self {
            Self::One(engine) => Some(engine.clone()),
            Self::Cluster(node) => node.engine(zone),
        }
    }

    /// The zone of `kitchen` (and of every order it cooks).
    pub fn kitchen_zone(&self, kitchen: &Kitchen) -> String {
        match self {
            Self::One(_) => CITY.to_owned(),
            Self::Cluster(node) => node.zone_of(kitchen.details.position),
        }
    }

    /// The zone of the orders of kitchen `kitchen`.
    pub async fn order_zone(
        &self,
        store: &Store,
        kitchen: RestaurantId,
    ) -> Result<String, ApiError> {
        match self {
            Self::One(_) => Ok(CITY.to_owned()),
            Self::Cluster(_) => {
                let kitchen = store
                    .kitchen(kitchen)
                    .await?
                    .ok_or(ApiError::NotFound("kitchen"))?;
                Ok(self.kitchen_zone(&kitchen))
            }
        }
    }

    /// The zone of order `order` (404 if there is none).
    pub async fn zone_of_order(&self, store: &Store, order: OrderId) -> Result<String, ApiError> {
        let view = store
            .order_view(order)
            .await?
            .ok_or(ApiError::NotFound("order"))?;
        self.order_zone(store, view.kitchen).await
    }

    /// The zone `courier`'s shift runs in (`None`: it never went online).
    pub async fn courier_zone(&self, courier: CourierId) -> Result<Option<String>, ApiError> {
        match self {
            Self::One(_) => Ok(Some(CITY.to_owned())),
            Self::Cluster(node) => Ok(node.courier_zone(courier).await?),
        }
    }

    /// The zone a shift starting at `at` runs in, recorded for every node.
    pub async fn start_shift_zone(
        &self,
        courier: CourierId,
        at: LatLng,
    ) -> Result<String, ApiError> {
        match self {
            Self::One(_) => Ok(CITY.to_owned()),
            Self::Cluster(node) => node.start_shift_zone(courier, at).await,
        }
    }

    /// Places an order in `zone` (paid with a provider's token, or free).
    pub async fn place(
        &self,
        zone: &str,
        details: OrderDetails,
        payment_method: Option<String>,
    ) -> Result<OrderView, ApiError> {
        match self {
            Self::One(engine) => Ok(match payment_method {
                Some(method) => engine.place_paid_order(details, method).await?,
                None => hand_to_kitchen(engine, engine.place_order(details).await?).await,
            }),
            Self::Cluster(node) => node
                .call(
                    zone,
                    Call::PlaceOrder {
                        details,
                        payment_method,
                    },
                )
                .await?
                .into_order(),
        }
    }

    /// Takes an order placed without a payment request on to its kitchen.
    pub async fn hand_on(&self, zone: &str, view: OrderView) -> Result<OrderView, ApiError> {
        match self {
            Self::One(engine) => Ok(hand_to_kitchen(engine, view).await),
            Self::Cluster(node) => node
                .call(zone, Call::HandOn { order: view.id })
                .await?
                .into_order(),
        }
    }

    /// A command for an order of `zone`.
    pub async fn command(
        &self,
        zone: &str,
        order: OrderId,
        command: OrderCommand,
    ) -> Result<OrderView, ApiError> {
        match self {
            Self::One(engine) => Ok(engine.command(order, command).await?),
            Self::Cluster(node) => node
                .call(zone, Call::Command { order, command })
                .await?
                .into_order(),
        }
    }

    /// Brings a kitchen's door in line with `wanted`.
    pub async fn sync_door(
        &self,
        zone: &str,
        kitchen: RestaurantId,
        wanted: WantedDoor,
    ) -> Result<KitchenDoor, ApiError> {
        match self {
            Self::One(engine) => Ok(kitchen_doors::apply(engine, kitchen, wanted).await?),
            Self::Cluster(node) => node
                .call(zone, Call::SyncKitchen { kitchen, wanted })
                .await?
                .into_door(),
        }
    }

    /// What a kitchen's tablet shows.
    pub async fn kitchen_queue(
        &self,
        zone: &str,
        kitchen: RestaurantId,
    ) -> Result<KitchenQueue, ApiError> {
        match self {
            Self::One(engine) => Ok(engine.kitchen_queue(kitchen).await?),
            Self::Cluster(node) => node
                .call(zone, Call::KitchenQueue { kitchen })
                .await?
                .into_queue(),
        }
    }

    /// A chef's answer to an order of their kitchen.
    pub async fn chef(
        &self,
        zone: &str,
        kitchen: RestaurantId,
        order: OrderId,
        action: ChefAction,
    ) -> Result<OrderView, ApiError> {
        match self {
            Self::One(engine) => carry_out(engine, kitchen, order, action).await,
            Self::Cluster(node) => node
                .call(
                    zone,
                    Call::Chef {
                        kitchen,
                        order,
                        action,
                    },
                )
                .await?
                .into_order(),
        }
    }

    /// A courier starts a shift in `zone`.
    pub async fn courier_online(
        &self,
        zone: &str,
        courier: CourierId,
        at: Point,
        shift_end: Seconds,
    ) -> Result<(), ApiError> {
        match self {
            Self::One(engine) => Ok(engine.courier_online(courier, at, shift_end).await?),
            Self::Cluster(node) => node
                .call(
                    zone,
                    Call::CourierOnline {
                        courier,
                        at,
                        shift_end,
                    },
                )
                .await?
                .into_done(),
        }
    }

    /// A courier ends its shift.
    pub async fn courier_offline(&self, zone: &str, courier: CourierId) -> Result<(), ApiError> {
        match self {
            Self::One(engine) => Ok(engine.courier_offline(courier).await?),
            Self::Cluster(node) => node
                .call(zone, Call::CourierOffline { courier })
                .await?
                .into_done(),
        }
    }

    /// A courier's position.
    pub async fn courier_position(
        &self,
        zone: &str,
        courier: CourierId,
        at: Point,
    ) -> Result<(), ApiError> {
        match self {
            Self::One(engine) => Ok(engine.courier_position(courier, at)?),
            Self::Cluster(node) => node
                .call(zone, Call::CourierPosition { courier, at })
                .await?
                .into_done(),
        }
    }

    /// A courier answers an offer.
    pub async fn answer_offer(
        &self,
        zone: &str,
        courier: CourierId,
        offer: u64,
        answer: OfferAnswer,
    ) -> Result<(), ApiError> {
        match self {
            Self::One(engine) => Ok(engine.answer_offer(courier, offer, answer).await?),
            Self::Cluster(node) => node
                .call(
                    zone,
                    Call::AnswerOffer {
                        courier,
                        offer,
                        answer,
                    },
                )
                .await?
                .into_done(),
        }
    }

    /// A courier is at the restaurant.
    pub async fn courier_arrived(&self, zone: &str, courier: CourierId) -> Result<(), ApiError> {
        match self {
            Self::One(engine) => Ok(engine.courier_arrived(courier).await?),
            Self::Cluster(node) => node
                .call(zone, Call::CourierArrived { courier })
                .await?
                .into_done(),
        }
    }

    /// A courier has the food of every order it carries.
    pub async fn courier_picked_up(
        &self,
        zone: &str,
        courier: CourierId,
    ) -> Result<Vec<OrderView>, ApiError> {
        match self {
            Self::One(engine) => Ok(engine.courier_picked_up(courier).await?),
            Self::Cluster(node) => node
                .call(zone, Call::CourierPickedUp { courier })
                .await?
                .into_orders(),
        }
    }

    /// A courier handed `order` over.
    pub async fn courier_delivered(
        &self,
        zone: &str,
        courier: CourierId,
        order: OrderId,
    ) -> Result<OrderView, ApiError> {
        match self {
            Self::One(engine) => Ok(engine.courier_delivered(courier, order).await?),
            Self::Cluster(node) => node
                .call(zone, Call::CourierDelivered { courier, order })
                .await?
                .into_order(),
        }
    }

    /// What a courier is doing.
    pub async fn courier_status(
        &self,
        zone: &str,
        courier: CourierId,
    ) -> Result<CourierStatus, ApiError> {
        match self {
            Self::One(engine) => Ok(engine.courier_status(courier).await?),
            Self::Cluster(node) => node
                .call(zone, Call::CourierStatus { courier })
                .await?
                .into_courier(),
        }
    }

    /// The orders a courier holds.
    pub async fn courier_orders(
        &self,
        zone: &str,
        courier: CourierId,
    ) -> Result<Vec<OrderId>, ApiError> {
        match self {
            Self::One(engine) => Ok(engine.courier_orders(courier).await?),
            Self::Cluster(node) => node
                .call(zone, Call::CourierOrders { courier })
                .await?
                .into_order_ids(),
        }
    }
}
