//! A zone's dispatch book: the orders waiting for a courier, the couriers
//! free to take them, and the offers out. Synchronous and deterministic: the
//! zone's dispatcher actor owns one and feeds it events and ticks.
//!
//! A matching round bundles the waiting orders (bundle size growing with
//! load), plans with the geo core, and turns into offers only the
//! assignments whose courier must set off soon (within the commit horizon):
//! a courier is sent to reach the restaurant when the food is ready, and
//! until then a better courier may still come free.
//!
//! Rounds look ahead: a courier who accepted an offer stays in the round's
//! fleet as it will be when done (at its last customer, at the planned
//! finish), so an order whose best courier is about to come free nearby is
//! kept for it rather than given to a worse one now. Such a courier is never
//! offered anything until it is free again (no diversion): the order waits,
//! and the next rounds plan again. A courier who declined
//! an order (or let the offer lapse) is not offered that order again for a
//! while: long enough for others to be asked, not so long that an order with
//! a single courier around waits forever.
//!
//! With prepositioning on (a variant, off by default), the book also sends
//! idle couriers that no plan uses towards restaurants short of couriers
//! (`foodiefast_geo::preposition`). A moving courier is planned with at the
//! restaurant from its arrival, like a busy one, and offered nothing until it
//! says it is free there: it is never diverted mid-move.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use foodiefast_geo::assignment::{AssignmentParams, RoundPlan, plan_round_excluding};
use foodiefast_geo::bundling::{Bundle, BundlingParams, adaptive_max_size, bundle_orders_at};
use foodiefast_geo::fleet::Fleet;
use foodiefast_geo::order::{Courier, Order};
use foodiefast_geo::preposition::{self, Move, PlacedOrder, PrepositionParams};
use foodiefast_geo::route::ServiceTimes;
use foodiefast_geo::{CourierId, GeoError, OrderId, Point, Seconds, TravelModel};

use super::decision::{self, Decision};
use crate::domain::courier::OfferAnswer;

/// How a zone dispatches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DispatchParams {
    /// Candidate search and costs.
    pub assignment: AssignmentParams,
    /// Bundling limits; `max_size` caps the load-adaptive bundle size.
    pub bundling: BundlingParams,
    /// How long a courier has to answer an offer.
    pub offer_timeout: Seconds,
    /// Offer only when the courier must set off within this.
    pub commit_horizon: Seconds,
    /// Decisions kept for operators to ask about.
    pub decisions_kept: usize,
    /// How long a courier who declined an order is not offered it again,
    /// counted from the offer's deadline.
    pub decline_memory: Seconds,
    /// How long past its planned finish a busy courier is still planned
    /// with; `None` plans with free couriers only. A courier running late is
    /// still the likeliest to come free soon, but one that never says it is
    /// free (gone offline mid-trip) must not hold orders for ever.
    pub look_ahead_grace: Option<Seconds>,
    /// Orders whose food is ready later than this after the round wait
    /// outside it (`None`: every waiting order is planned). A courier is
    /// committed only within the commit horizon, so an order ready much
    /// later would be planned and thrown away round after round; leaving
    /// it out keeps rounds small without changing what is offered now.
    pub planning_horizon: Option<Seconds>,
    /// With nothing changed since the last plan (no order, courier or
    /// answer) and nothing in it falling due, a round re-plans only this
    /// long after the last plan: costs still drift with the clock (couriers
    /// idle, orders waiting), but slowly. Zero re-plans every round.
    pub replan_every: Seconds,
    /// Prepositioning (a variant, `None`: off): idle couriers sent towards
    /// restaurants whose recent orders outrun the couriers near them.
    pub preposition: Option<PrepositionParams>,
}

impl DispatchParams {
    /// Defaults for the given service times: 30 s to answer, offers made when
    /// the courier must leave within 5 minutes, 10,000 decisions kept, a
    /// decline remembered for 10 minutes, busy couriers planned with until
    /// 15 minutes past their planned finish, a minute past the click-to-door
    /// target costing twice a minute within it, a courier's minute waiting
    /// for food a twentieth of a customer's, orders planned from 20
    /// minutes before their food is ready, an unchanged plan redone every
    /// minute.
    pub fn new(service: ServiceTimes) -> Self {
        let mut assignment = AssignmentParams::new(service);
        // Measured on the MDRP days (BENCHMARKS.md): a minute past the
        // target weighed as two minutes, not three, delivers more orders
        // and sooner on average.
        assignment.cost.lateness_weight = 1.0;
        // Also measured there: a courier's minute waiting for food weighed
        // as 3 s of click-to-door, not 15 s, sends couriers a little
        // earlier and picks food up sooner (0.13 min on average, on the
        // tuned and the check days alike) at about the same pay; at zero,
        // couriers are sent far too early and pay per order jumps.
        assignment.cost.courier_wait_weight = 0.05;
        Self {
            assignment,
            bundling: BundlingParams::default(),
            offer_timeout: Seconds(30),
            commit_horizon: Seconds::from_minutes(5),
            decisions_kept: 10_000,
            decline_memory: Seconds::from_minutes(10),
            look_ahead_grace: Some(Seconds::from_minutes(15)),
            planning_horizon: Some(Seconds::from_minutes(20)),
            replan_every: Seconds::from_minutes(1),
            preposition: None,
        }
    }
}

/// An offer the dispatcher must send to a courier.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferToSend {
    /// The offer's id.
    pub offer: u64,
    /// Who.
    pub courier: CourierId,
    /// The orders, in drop-off sequence.
    pub orders: Vec<OrderId>,
    /// Where they are picked up.
    pub pickup: Point,
    /// Answer by then.
    pub deadline: Seconds,
    /// The planned pickup.
    pub pickup_at: Seconds,
    /// When the courier should set off.
    pub depart_by: Seconds,
}

/// What an answer to an offer settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerOutcome {
    /// The courier has the orders.
    Assigned {
        /// Who.
        courier: CourierId,
        /// The orders, in drop-off sequence.
        orders: Vec<OrderId>,
        /// The planned pickup.
        pickup_at: Seconds,
    },
    /// The orders wait for the next round again.
    Returned {
        /// The orders.
        orders: Vec<OrderId>,
    },
}

/// Why the book refused something.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DispatchError {
    /// The order is already in the book.
    #[error("order {0} is already waiting or offered")]
    DuplicateOrder(OrderId),
    /// No such open offer (answered already, withdrawn, or never made).
    #[error("offer {0} is not open")]
    UnknownOffer(u64),
    /// The geo core refused the round's input.
    #[error(transparent)]
    Geo(#[from] GeoError),
}

#[derive(Debug, Clone)]
struct OpenOffer {
    courier: Courier,
    orders: Vec<Order>,
    pickup_at: Seconds,
    deadline: Seconds,
    /// The courier as it will be when the offer's trip is done.
    after: Courier,
}

/// The book of one zone.
#[derive(Debug)]
pub struct DispatchBook<M> {
    model: M,
    params: DispatchParams,
    /// Couriers a round plans with: the free ones, and the busy ones as
    /// they will be when done.
    fleet: Fleet,
    /// Couriers of the fleet planned with but never offered to: busy with
    /// an accepted offer, or scheduled and not online yet.
    busy: HashSet<CourierId>,
    /// Shifts announced ahead, not yet close enough to plan with.
    scheduled: BTreeMap<CourierId, Courier>,
    waiting: BTreeMap<OrderId, Order>,
    offers: BTreeMap<u64, OpenOffer>,
    /// Until when each courier is not to be offered each order again.
    declined: HashMap<OrderId, HashMap<CourierId, Seconds>>,
    decisions: HashMap<OrderId, Decision>,
    /// Decisions in the order they were made, to forget the oldest.
    decided: VecDeque<(OrderId, u64)>,
    /// Offer ids, shared by every zone of an engine: a courier moving
    /// between zones, or outliving its dispatcher, never sees one id twice.
    offer_ids: Arc<AtomicU64>,
    /// Orders, couriers or offers changed since the last plan.
    changed: bool,
    /// When the last plan was made.
    last_planned: Option<Seconds>,
    /// When the last plan next needs acting on: an assignment falls within
    /// the commit horizon, an order or a scheduled courier enters the
    /// planning horizon.
    next_due: Option<Seconds>,
    /// Rounds that planned (rather than finding the last plan still good).
    planned_rounds: u64,
    /// Couriers the last plan chose whose offer is not made yet: they have
    /// a plan, so prepositioning leaves them where they are.
    planned: HashSet<CourierId>,
    /// With prepositioning: the orders told of lately, as demand.
    recent: BTreeMap<OrderId, PlacedOrder>,
    /// Couriers on their way to a restaurant.
    moving: HashSet<CourierId>,
    /// When each courier was last sent somewhere (kept for the rest period).
    last_moved: HashMap<CourierId, Seconds>,
    /// When prepositioning last ran.
    last_prepositioned: Option<Seconds>,
}

impl<M: TravelModel> DispatchBook<M> {
    /// An empty book.
    pub fn new(model: M, params: DispatchParams) -> Result<Self, GeoError> {
        params.bundling.validate()?;
        params.assignment.cost.validate()?;
        if let Some(p) = &params.preposition {
            p.validate()?;
        }
        Ok(Self {
            model,
            params,
            fleet: Fleet::new(),
            busy: HashSet::new(),
            scheduled: BTreeMap::new(),
            waiting: BTreeMap::new(),
            offers: BTreeMap::new(),
            declined: HashMap::new(),
            decisions: HashMap::new(),
            decided: VecDeque::new(),
            offer_ids: Arc::new(AtomicU64::new(0)),
            changed: true,
            last_planned: None,
            next_due: None,
            planned_rounds: 0,
            planned: HashSet::new(),
            recent: BTreeMap::new(),
            moving: HashSet::new(),
            last_moved: HashMap::new(),
            last_prepositioned: None,
        })
    }

    /// Numbers offers from `ids` (shared with other books), not from 1.
    #[must_use]
    pub fn numbering_offers_with(mut self, ids: Arc<AtomicU64>) -> Self {
        self.offer_ids = ids;
        self
    }

    /// Orders waiting for a round.
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// Couriers free for offers.
    pub fn available(&self) -> usize {
        self.fleet.len().saturating_sub(self.busy.len())
    }

    /// Offers awaiting an answer.
    pub fn open_offers(&self) -> usize {
        self.offers.len()
    }

    /// Rounds so far that planned; the others found nothing changed and
    /// nothing due.
    pub fn planned_rounds(&self) -> u64 {
        self.planned_rounds
    }

    /// An order now needs a courier.
    pub fn add_order(&mut self, order: Order) -> Result<(), DispatchError> {
        let offered = self
            .offers
            .values()
            .any(|o| o.orders.iter().any(|x| x.id == order.id));
        if offered || self.waiting.contains_key(&order.id) {
            return Err(DispatchError::DuplicateOrder(order.id));
        }
        if self.params.preposition.is_some() {
            self.recent.insert(
                order.id,
                PlacedOrder {
                    restaurant: order.restaurant,
                    at: order.pickup,
                    placed_at: order.placed_at,
                },
            );
        }
        self.waiting.insert(order.id, order);
        self.changed = true;
        Ok(())
    }

    /// An order no longer needs a courier (cancelled, or taken care of).
    /// Returns an offer withdrawn because it lost its last order.
    pub fn remove_order(&mut self, id: OrderId) -> Option<u64> {
        self.declined.remove(&id);
        if self.waiting.remove(&id).is_some() {
            self.changed = true;
            return None;
        }
        let (&offer_id, offer) = self
            .offers
            .iter_mut()
            .find(|(_, o)| o.orders.iter().any(|x| x.id == id))?;
        offer.orders.retain(|x| x.id != id);
        self.changed = true;
        if !offer.orders.is_empty() {
            return None;
        }
        let withdrawn = self.offers.remove(&offer_id)?;
        self.fleet.upsert(withdrawn.courier);
        Some(offer_id)
    }

    /// A courier is free (idle, or finishing a trip at `free_at`), or its
    /// position or shift changed.
    pub fn courier_available(&mut self, courier: Courier) {
        self.scheduled.remove(&courier.id);
        // A moving courier says it is free once it has arrived.
        self.moving.remove(&courier.id);
        if !self.offers.values().any(|o| o.courier.id == courier.id) {
            self.busy.remove(&courier.id);
            self.fleet.upsert(courier);
            self.changed = true;
        }
    }

    /// A courier's shift is scheduled: it will come online at
    /// `courier.free_at`, at `courier.position`. Once the start is within
    /// the planning horizon, rounds plan with it as with a busy courier
    /// (never offered anything before it is online), so an order may wait
    /// for a courier about to start nearby. A shift that does not start is
    /// forgotten like a late busy courier. Ignored for a courier the book
    /// already knows, and without look-ahead.
    pub fn courier_scheduled(&mut self, courier: Courier) {
        if self.params.look_ahead_grace.is_some() && self.fleet.get(courier.id).is_none() {
            self.scheduled.insert(courier.id, courier);
            self.changed = true;
        }
    }

    /// A courier left (offline, or busy elsewhere). Orders of an offer it
    /// held go back to waiting. A courier busy with an offer it accepted
    /// stays planned with, as it will be when done.
    pub fn courier_gone(&mut self, id: CourierId) -> Vec<OrderId> {
        self.changed = true;
        self.scheduled.remove(&id);
        // Gone mid-move: it will not come free at the restaurant.
        if self.moving.remove(&id) {
            self.busy.remove(&id);
        }
        if !self.busy.contains(&id) {
            self.fleet.remove(id);
        }
        let held: Vec<u64> = self
            .offers
            .iter()
            .filter(|(_, o)| o.courier.id == id)
            .map(|(&k, _)| k)
            .collect();
        let mut returned = Vec::new();
        for offer in held {
            if let Some(o) = self.offers.remove(&offer) {
                for order in o.orders {
                    returned.push(order.id);
                    self.waiting.insert(order.id, order);
                }
            }
        }
        returned
    }

    /// A courier let its orders go (went offline before picking them up):
    /// it will not come free where its trip would have ended.
    pub fn courier_released(&mut self, id: CourierId) {
        if self.busy.remove(&id) {
            self.fleet.remove(id);
            self.changed = true;
        }
    }

    /// Forgets busy couriers far past their planned finish at `now`.
    fn forget_overdue(&mut self, now: Seconds) {
        let Some(grace) = self.params.look_ahead_grace else {
            return;
        };
        let overdue: Vec<CourierId> = self
            .busy
            .iter()
            .copied()
            .filter(|&id| self.fleet.get(id).is_none_or(|c| c.free_at + grace < now))
            .collect();
        for id in overdue {
            self.moving.remove(&id);
            self.busy.remove(&id);
            self.fleet.remove(id);
            self.changed = true;
        }
    }

    /// Scheduled couriers starting within the planning horizon join the
    /// fleet, planned with but not offered to until they come online.
    fn admit_scheduled(&mut self, now: Seconds) {
        let horizon = self.params.planning_horizon;
        let starting: Vec<Courier> = self
            .scheduled
            .values()
            .filter(|c| horizon.is_none_or(|h| c.free_at <= now + h))
            .copied()
            .collect();
        for courier in starting {
            self.scheduled.remove(&courier.id);
            self.busy.insert(courier.id);
            self.fleet.upsert(courier);
            self.changed = true;
        }
    }

    /// Whether a round at `now` must plan: something changed, the last
    /// plan falls due, or it is older than `replan_every`.
    fn must_plan(&self, now: Seconds) -> bool {
        self.changed
            || self.next_due.is_some_and(|due| now >= due)
            || self
                .last_planned
                .is_none_or(|at| now >= at + self.params.replan_every)
    }

    /// When what the book holds at `now` next needs a plan, besides
    /// changes: an order or a scheduled courier entering the planning
    /// horizon, a courier's decline of an order running out.
    fn next_entry(&self, now: Seconds) -> Option<Seconds> {
        let declines = self.declined.values().flat_map(|d| d.values().copied());
        let Some(h) = self.params.planning_horizon else {
            return declines.filter(|&t| t > now).min();
        };
        let orders = self.waiting.values().map(|o| o.ready_at - h);
        let couriers = self.scheduled.values().map(|c| c.free_at - h);
        orders
            .chain(couriers)
            .chain(declines)
            .filter(|&t| t > now)
            .min()
    }

    /// Whether a round at `now` plans `order` (its food is ready within the
    /// planning horizon).
    pub fn in_planning_horizon(&self, order: &Order, now: Seconds) -> bool {
        self.params
            .planning_horizon
            .is_none_or(|h| order.ready_at <= now + h)
    }

    /// Bundles `orders` and plans them with the fleet, leaving out the
    /// couriers who declined them lately.
    fn plan(
        &self,
        now: Seconds,
        orders: &[Order],
    ) -> Result<(Vec<Bundle>, RoundPlan), DispatchError> {
        let bundling = BundlingParams {
            max_size: adaptive_max_size(
                orders.len(),
                self.available(),
                self.params.bundling.max_size,
            ),
            ..self.params.bundling
        };
        let service = self.params.assignment.service;
        let cost = self.params.assignment.cost;
        let bundles = bundle_orders_at(now, orders, &self.model, service, &cost, &bundling)?;
        // Each bundle's couriers still remembered as declining one of its
        // orders, looked up once here: the round asks about every candidate.
        let declined: Vec<Vec<CourierId>> = bundles
            .iter()
            .map(|bundle| {
                bundle
                    .orders
                    .iter()
                    .filter_map(|o| self.declined.get(&o.id))
                    .flat_map(|d| d.iter().filter(|&(_, &until)| now < until))
                    .map(|(&c, _)| c)
                    .collect()
            })
            .collect();
        let plan = plan_round_excluding(
            now,
            &bundles,
            &self.fleet,
            &self.model,
            &self.params.assignment,
            |b, c| declined.get(b).is_some_and(|list| list.contains(&c)),
        )?;
        Ok((bundles, plan))
    }

    /// Runs a matching round at `now`; returns the offers to send.
    pub fn round(&mut self, now: Seconds) -> Result<Vec<OfferToSend>, DispatchError> {
        self.forget_overdue(now);
        self.admit_scheduled(now);
        if self.waiting.is_empty() {
            self.planned.clear();
        }
        if self.waiting.is_empty() || self.available() == 0 || !self.must_plan(now) {
            return Ok(Vec::new());
        }
        self.planned.clear();
        self.changed = false;
        self.last_planned = Some(now);
        self.planned_rounds += 1;
        self.next_due = self.next_entry(now);
        let orders: Vec<Order> = self
            .waiting
            .values()
            .filter(|o| self.in_planning_horizon(o, now))
            .copied()
            .collect();
        if orders.is_empty() {
            return Ok(Vec::new());
        }
        let (bundles, plan) = self.plan(now, &orders)?;
        let mut offers = Vec::new();
        for assignment in &plan.assignments {
            let chosen = assignment.chosen;
            // Not yet: the courier is still busy, and the orders wait for it
            // (its coming free is a change that brings a new plan).
            if self.busy.contains(&chosen.courier) {
                continue;
            }
            self.planned.insert(chosen.courier);
            // Not yet: the courier need not leave now, and a better one may
            // come free; the plan falls due when it must.
            let commit_at = chosen.latest_departure - self.params.commit_horizon;
            if commit_at > now {
                self.next_due = Some(self.next_due.map_or(commit_at, |d| d.min(commit_at)));
                continue;
            }
            let (Some(bundle), Some(courier)) = (
                bundles.get(assignment.bundle),
                self.fleet.remove(chosen.courier),
            ) else {
                continue;
            };
            let offer = self.offer_ids.fetch_add(1, Ordering::Relaxed) + 1;
            let ids: Vec<OrderId> = bundle.orders.iter().map(|o| o.id).collect();
            for id in &ids {
                self.waiting.remove(id);
            }
            let deadline = now + self.params.offer_timeout;
            let after = Courier {
                position: assignment.finish_position,
                free_at: assignment.finish_at,
                ..courier
            };
            self.offers.insert(
                offer,
                OpenOffer {
                    courier,
                    orders: bundle.orders.clone(),
                    pickup_at: chosen.pickup_at,
                    deadline,
                    after,
                },
            );
            let candidates = plan.candidates(assignment.bundle);
            self.record(&Decision {
                at: now,
                offer,
                orders: ids.clone(),
                chosen,
                why: decision::explain(&chosen, &candidates),
                candidates,
            });
            offers.push(OfferToSend {
                offer,
                courier: chosen.courier,
                orders: ids,
                pickup: bundle.pickup,
                deadline,
                pickup_at: chosen.pickup_at,
                depart_by: chosen.latest_departure.max(now),
            });
        }
        Ok(offers)
    }

    /// With prepositioning on, at most once a minute: sends idle couriers
    /// with no plan towards restaurants short of couriers (see
    /// `foodiefast_geo::preposition`). Each courier sent is planned with at
    /// the restaurant from its arrival and offered nothing until it says it
    /// is free there.
    pub fn preposition(&mut self, now: Seconds) -> Vec<Move> {
        let Some(params) = self.params.preposition else {
            return Vec::new();
        };
        if self
            .last_prepositioned
            .is_some_and(|at| now < at + Seconds::from_minutes(1))
        {
            return Vec::new();
        }
        self.last_prepositioned = Some(now);
        let window_start = now - params.demand_window;
        self.recent.retain(|_, o| o.placed_at > window_start);
        self.last_moved.retain(|_, at| now < *at + params.rest);
        let idle: Vec<Courier> = self
            .fleet
            .iter()
            .filter(|c| {
                c.free_at <= now
                    && !self.busy.contains(&c.id)
                    && !self.planned.contains(&c.id)
                    && !self.last_moved.contains_key(&c.id)
            })
            .copied()
            .collect();
        let recent: Vec<PlacedOrder> = self.recent.values().copied().collect();
        let moves = preposition::plan_moves(now, &recent, &self.fleet, &idle, &self.model, &params);
        for m in &moves {
            let Some(courier) = self.fleet.get(m.courier).copied() else {
                continue;
            };
            self.fleet.upsert(Courier {
                position: m.to,
                free_at: m.arrive_at,
                ..courier
            });
            self.busy.insert(m.courier);
            self.moving.insert(m.courier);
            self.last_moved.insert(m.courier, now);
            self.changed = true;
        }
        moves
    }

    /// Couriers on their way to a restaurant.
    pub fn moving(&self) -> usize {
        self.moving.len()
    }

    fn record(&mut self, decision: &Decision) {
        for id in &decision.orders {
            self.decided.push_back((*id, decision.offer));
            self.decisions.insert(*id, decision.clone());
        }
        while self.decided.len() > self.params.decisions_kept {
            let Some((order, offer)) = self.decided.pop_front() else {
                break;
            };
            // Keep a newer decision about the same order.
            if self.decisions.get(&order).is_some_and(|d| d.offer == offer) {
                self.decisions.remove(&order);
            }
        }
    }

    /// The courier answered offer `offer` (or it timed out).
    pub fn answer(
        &mut self,
        offer: u64,
        answer: OfferAnswer,
    ) -> Result<AnswerOutcome, DispatchError> {
        let open = self
            .offers
            .remove(&offer)
            .ok_or(DispatchError::UnknownOffer(offer))?;
        self.changed = true;
        if answer == OfferAnswer::Accepted {
            if self.params.look_ahead_grace.is_some() {
                self.busy.insert(open.courier.id);
                self.fleet.upsert(open.after);
            }
            return Ok(AnswerOutcome::Assigned {
                courier: open.courier.id,
                orders: open.orders.iter().map(|o| o.id).collect(),
                pickup_at: open.pickup_at,
            });
        }
        let mut orders = Vec::with_capacity(open.orders.len());
        let until = open.deadline + self.params.decline_memory;
        for order in open.orders {
            self.declined
                .entry(order.id)
                .or_default()
                .insert(open.courier.id, until);
            orders.push(order.id);
            self.waiting.insert(order.id, order);
        }
        self.fleet.upsert(open.courier);
        Ok(AnswerOutcome::Returned { orders })
    }

    /// Offers whose deadline has passed at `now`.
    pub fn expired_offers(&self, now: Seconds) -> Vec<u64> {
        self.offers
            .iter()
            .filter(|(_, o)| o.deadline <= now)
            .map(|(&k, _)| k)
            .collect()
    }

    /// The latest decision about `order`, for an operator.
    pub fn explain(&self, order: OrderId) -> Option<&Decision> {
        self.decisions.get(&order)
    }
}
