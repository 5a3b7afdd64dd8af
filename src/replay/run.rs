//! The day's driver: one engine on paused tokio time, fed the instance's
//! day in order. Events are kept in a queue ordered by instant, then by
//! phase (orders are placed before their chef answers, food is ready before
//! it is picked up, couriers come online before they work and leave last);
//! between phases the actors run until they are idle, so every instant is
//! settled before the next. Between events the driver wakes at least once
//! per dispatch period to answer the offers that reached the couriers' apps,
//! and, with prepositioning on, to send idle couriers where the dispatcher
//! moved them: straight there at the instance's speed, from the next whole
//! minute, recorded as a move to the restaurant.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use foodiefast_actors::clock::Clock;
use foodiefast_actors::dispatch::DispatchParams;
use foodiefast_actors::domain::courier::{Offer, OfferAnswer, Reposition};
use foodiefast_actors::memory_store::MemoryStore;
use foodiefast_actors::tracking::{CourierUpdate, Subscription, Update};
use foodiefast_actors::{Engine, EngineConfig};
use foodiefast_geo::order::Order;
use foodiefast_geo::{CourierId, OrderId, Point, Seconds, StraightLine, TravelModel};
use tokio::time::Instant;

use super::kitchens;
use super::recorder::Recorder;
use super::simulator::{Errand, Simulator, Stop, Timetable, Whereabouts, next_whole_minute};
use super::{ReplayError, ReplaySettings};
use crate::mdrp::{Instance, Move, Place, Shift, Solution};

/// What happens at an instant, in the order it happens within the instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    /// The customer places the order; it is paid for and sent to its chef.
    Placed(OrderId),
    /// The chef accepts it with its ready time.
    Accepted(OrderId),
    /// The food is ready.
    Ready(OrderId),
    /// The courier's shift starts.
    ShiftStarts(CourierId),
    /// The courier reaches the restaurant.
    Arrived(CourierId),
    /// The courier picks its bundle up.
    PickedUp(CourierId),
    /// The courier hands an order over.
    Delivered(CourierId, OrderId),
    /// The courier reaches the restaurant it was sent to (prepositioning).
    Repositioned(CourierId),
    /// The courier's shift is over: it leaves once its last duty is done.
    ShiftEnds(CourierId),
}

/// A courier as the simulator sees it.
struct SimulatedCourier {
    shift: Shift,
    feed: Subscription,
    /// Where it is, or will be when its errand is done.
    whereabouts: Whereabouts,
    /// When its current errand is done.
    free_at: Seconds,
    /// The restaurant of its current errand.
    restaurant: Option<Point>,
    /// Whether it is online in the engine.
    online: bool,
}

/// One replay in progress.
struct Day<'a> {
    instance: &'a Instance,
    orders: HashMap<OrderId, &'a Order>,
    simulator: Simulator,
    model: StraightLine,
    engine: Engine,
    origin: Instant,
    queue: BTreeSet<(Seconds, Event)>,
    couriers: BTreeMap<CourierId, SimulatedCourier>,
    recorder: Recorder,
    poll_every: Seconds,
    /// How long the driver lets the engine act on what it was told: past
    /// the early round that arriving orders ask for.
    settle: Duration,
}

/// Replays `instance`'s day through a fresh engine on paused time and
/// returns what the couriers did, as an MDRP solution.
pub fn replay(instance: &Instance, settings: &ReplaySettings) -> Result<Solution, ReplayError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .map_err(ReplayError::Runtime)?;
    runtime.block_on(async {
        let day = Day::start(instance, settings).await?;
        day.run().await
    })
}

impl<'a> Day<'a> {
    async fn start(instance: &'a Instance, settings: &ReplaySettings) -> Result<Self, ReplayError> {
        let parameters = instance.parameters();
        let model = parameters.travel_model()?;
        let service = parameters.service_times()?;
        let mut dispatch = settings
            .dispatch
            .unwrap_or_else(|| DispatchParams::new(service));
        dispatch.assignment.service = service;
        dispatch.assignment.cost.target_click_to_door = parameters.target_click_to_door;
        dispatch.preposition = settings.preposition;
        let config = EngineConfig {
            dispatch_period: settings.dispatch_period,
            ..EngineConfig::default()
        };
        let settle = config.early_round_delay + Duration::from_millis(1);
        let origin = Instant::now();
        let engine = Engine::builder(
            Arc::new(MemoryStore::default()),
            Clock::starting_at(Seconds::ZERO),
        )
        .config(config)
        .travel(model)
        .dispatch(dispatch)
        .start()
        .await?;
        kitchens::open_all(
            &engine,
            instance.restaurants().iter().map(|(&id, &p)| (id, p)),
        )
        .await?;
        let mut queue = BTreeSet::new();
        for order in instance.orders() {
            queue.insert((order.placed_at, Event::Placed(order.id)));
            queue.insert((order.placed_at, Event::Accepted(order.id)));
            queue.insert((order.ready_at, Event::Ready(order.id)));
        }
        let mut couriers = BTreeMap::new();
        for shift in instance.shifts() {
            if settings.announce_shifts && shift.off_time > shift.on_time {
                engine.courier_scheduled(
                    shift.courier,
                    shift.start,
                    shift.on_time,
                    shift.off_time,
                )?;
            }
            queue.insert((shift.on_time, Event::ShiftStarts(shift.courier)));
            queue.insert((shift.off_time, Event::ShiftEnds(shift.courier)));
            couriers.insert(
                shift.courier,
                SimulatedCourier {
                    shift: *shift,
                    feed: engine.courier_feed(shift.courier),
                    whereabouts: Whereabouts {
                        position: shift.start,
                        place: Place::Start,
                    },
                    free_at: shift.on_time,
                    restaurant: None,
                    online: false,
                },
            );
        }
        let period = settings.dispatch_period.as_secs();
        Ok(Self {
            instance,
            orders: instance.orders().iter().map(|o| (o.id, o)).collect(),
            simulator: Simulator::new(model, service),
            model,
            engine,
            origin,
            queue,
            couriers,
            recorder: Recorder::default(),
            poll_every: Seconds(i64::try_from(period).unwrap_or(i64::MAX).max(1)),
            settle,
        })
    }

    async fn run(mut self) -> Result<Solution, ReplayError> {
        while let Some(&(next, _)) = self.queue.first() {
            let now = self.now();
            let wake = if self.couriers.values().any(|c| c.online) {
                next.min(now + self.poll_every)
            } else {
                next
            };
            tokio::time::sleep_until(self.instant(wake)).await;
            self.answer_offers().await?;
            let mut phase = None;
            while let Some(&(at, event)) = self.queue.first() {
                if at > wake {
                    break;
                }
                self.queue.pop_first();
                let this_phase = std::mem::discriminant(&event);
                if phase.is_some_and(|p| p != this_phase) {
                    settle(self.settle).await;
                }
                phase = Some(this_phase);
                self.handle(event).await?;
            }
            settle(self.settle).await;
            self.answer_offers().await?;
        }
        self.engine.shutdown().await;
        Ok(self.recorder.finish(self.instance))
    }

    fn now(&self) -> Seconds {
        let elapsed = Instant::now().saturating_duration_since(self.origin);
        Seconds(i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
    }

    fn instant(&self, at: Seconds) -> Instant {
        self.origin + Duration::from_secs(at.0.max(0).unsigned_abs())
    }

    fn order(&self, id: OrderId) -> Result<&'a Order, ReplayError> {
        self.orders
            .get(&id)
            .copied()
            .ok_or(ReplayError::UnknownOrder(id))
    }

    fn courier(&mut self, id: CourierId) -> Result<&mut SimulatedCourier, ReplayError> {
        self.couriers
            .get_mut(&id)
            .ok_or(ReplayError::UnknownCourier(id))
    }

    async fn handle(&mut self, event: Event) -> Result<(), ReplayError> {
        match event {
            Event::Placed(order) => kitchens::place(&self.engine, self.order(order)?).await,
            Event::Accepted(order) => kitchens::accept(&self.engine, self.order(order)?).await,
            Event::Ready(order) => kitchens::mark_ready(&self.engine, self.order(order)?).await,
            Event::ShiftStarts(id) => {
                let courier = self.courier(id)?;
                let (start, end) = (courier.shift.start, courier.shift.off_time);
                courier.online = true;
                self.engine.courier_online(id, start, end).await?;
                Ok(())
            }
            Event::Arrived(id) => {
                if let Some(at) = self.courier(id)?.restaurant {
                    self.engine.courier_position(id, at)?;
                }
                self.engine.courier_arrived(id).await?;
                Ok(())
            }
            Event::PickedUp(id) => {
                self.engine.courier_picked_up(id).await?;
                Ok(())
            }
            Event::Delivered(id, order) => {
                self.engine
                    .courier_position(id, self.order(order)?.drop_off)?;
                self.engine.courier_delivered(id, order).await?;
                Ok(())
            }
            Event::Repositioned(id) => {
                let at = self.courier(id)?.whereabouts.position;
                self.engine.courier_position(id, at)?;
                Ok(())
            }
            Event::ShiftEnds(id) => self.end_shift(id).await,
        }
    }

    /// The courier leaves once idle; a busy one is asked again when free.
    async fn end_shift(&mut self, id: CourierId) -> Result<(), ReplayError> {
        let now = self.now();
        let courier = self
            .couriers
            .get_mut(&id)
            .ok_or(ReplayError::UnknownCourier(id))?;
        if !courier.online {
            return Ok(());
        }
        if courier.free_at > now {
            let free_at = courier.free_at;
            self.queue.insert((free_at, Event::ShiftEnds(id)));
            return Ok(());
        }
        courier.online = false;
        while let Some(update) = courier.feed.try_recv() {
            if let Ok(Update::Courier(CourierUpdate::Offered(offer))) = update {
                self.engine
                    .answer_offer(id, offer.id, OfferAnswer::Declined)
                    .await?;
            }
        }
        self.engine.courier_offline(id).await?;
        Ok(())
    }

    /// Every offer waiting in an online courier's app gets its answer: MDRP
    /// couriers take every assignment they can still pick up in their shift.
    /// Couriers sent towards a restaurant ride there.
    async fn answer_offers(&mut self) -> Result<(), ReplayError> {
        let mut updates = Vec::new();
        // Only online couriers are offered anything or moved.
        for (&id, courier) in self.couriers.iter().filter(|(_, c)| c.online) {
            while let Some(update) = courier.feed.try_recv() {
                if let Ok(Update::Courier(
                    update @ (CourierUpdate::Offered(_) | CourierUpdate::Reposition(_)),
                )) = update
                {
                    updates.push((id, update));
                }
            }
        }
        for (id, update) in updates {
            match update {
                CourierUpdate::Offered(offer) => self.answer(id, offer).await?,
                CourierUpdate::Reposition(to) => self.reposition(id, to)?,
                _ => {}
            }
        }
        Ok(())
    }

    /// A courier sent towards a restaurant sets off on the next whole minute
    /// once free (the engine hears it is free at the handover, the
    /// simulation leaves the customer half a service later, as with offers)
    /// and rides straight there.
    fn reposition(&mut self, id: CourierId, to: Reposition) -> Result<(), ReplayError> {
        let now = self.now();
        let model = self.model;
        let courier = self.courier(id)?;
        let departure = next_whole_minute(courier.free_at.max(now));
        let arrival = departure + model.travel_time(courier.whereabouts.position, to.to);
        let step = Move {
            departure,
            origin: courier.whereabouts.place,
            destination: Place::Restaurant(to.restaurant),
        };
        courier.whereabouts = Whereabouts {
            position: to.to,
            place: step.destination,
        };
        courier.free_at = arrival;
        self.recorder.moved(id, step);
        self.queue.insert((arrival, Event::Repositioned(id)));
        Ok(())
    }

    async fn answer(&mut self, id: CourierId, offer: Offer) -> Result<(), ReplayError> {
        let now = self.now();
        let errand = self.errand(id, &offer)?;
        let simulator = self.simulator;
        let courier = self
            .couriers
            .get_mut(&id)
            .ok_or(ReplayError::UnknownCourier(id))?;
        let timetable = simulator.timetable(
            courier.whereabouts.position,
            courier.free_at.max(now),
            &errand,
        );
        let doable =
            courier.online && offer.deadline >= now && timetable.pickup <= courier.shift.off_time;
        if !doable {
            self.engine
                .answer_offer(id, offer.id, OfferAnswer::Declined)
                .await?;
            return Ok(());
        }
        self.engine
            .answer_offer(id, offer.id, OfferAnswer::Accepted)
            .await?;
        let from = courier.whereabouts.place;
        self.recorder.assigned(id, from, now, &errand, &timetable);
        self.follow(id, &errand, &timetable)
    }

    /// The bundle of `offer` to courier `id`, from the instance's orders.
    fn errand(&self, id: CourierId, offer: &Offer) -> Result<Errand, ReplayError> {
        let mut stops = Vec::with_capacity(offer.orders.len());
        let mut restaurant = None;
        for &id in &offer.orders {
            let order = self.order(id)?;
            restaurant = Some(order.restaurant);
            stops.push(Stop {
                order: id,
                drop_off: order.drop_off,
                ready_at: order.ready_at,
            });
        }
        let restaurant = restaurant.ok_or(ReplayError::EmptyOffer(id))?;
        Ok(Errand {
            restaurant: Whereabouts {
                position: offer.pickup,
                place: Place::Restaurant(restaurant),
            },
            stops,
        })
    }

    /// Queues the steps of the courier's timetable and moves its whereabouts
    /// to where the errand ends.
    fn follow(
        &mut self,
        id: CourierId,
        errand: &Errand,
        timetable: &Timetable,
    ) -> Result<(), ReplayError> {
        self.queue.insert((timetable.arrival, Event::Arrived(id)));
        self.queue.insert((timetable.pickup, Event::PickedUp(id)));
        for drop_off in &timetable.drop_offs {
            self.queue
                .insert((drop_off.at, Event::Delivered(id, drop_off.order)));
        }
        let last = errand.stops.last().ok_or(ReplayError::EmptyOffer(id))?;
        let courier = self.courier(id)?;
        courier.restaurant = Some(errand.restaurant.position);
        courier.whereabouts = Whereabouts {
            position: last.drop_off,
            place: Place::Customer(last.order),
        };
        courier.free_at = timetable.free_at;
        Ok(())
    }
}

/// Lets every actor run until all are idle and every early round asked
/// for has run, without moving the clock a whole second (a handful of
/// settles per wake, each well under a second).
async fn settle(time: Duration) {
    tokio::time::sleep(time).await;
}
