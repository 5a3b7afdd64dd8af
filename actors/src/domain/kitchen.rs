//! A chef's kitchen: open or closed, busy mode, orders waiting for an
//! answer (auto-rejected when the chef does not answer in time), orders
//! cooking with their ready estimates.

use std::collections::BTreeMap;

use foodiefast_geo::{OrderId, Seconds};

use super::order::RejectReason;

/// What happened to an incoming order at the kitchen door.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intake {
    /// The chef must answer before `deadline`.
    AwaitingAnswer {
        /// When the order is rejected for want of an answer.
        deadline: Seconds,
    },
    /// Refused at once.
    Refused(RejectReason),
}

/// Why a kitchen refused a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KitchenError {
    /// The order is not waiting for the chef's answer.
    #[error("order {0} is not waiting for an answer")]
    NotAwaiting(OrderId),
    /// The order is not cooking here.
    #[error("order {0} is not being prepared here")]
    NotCooking(OrderId),
    /// The order was already handed to this kitchen.
    #[error("order {0} is already known to this kitchen")]
    Duplicate(OrderId),
    /// A ready estimate before the order arrived.
    #[error("a ready estimate cannot precede the answer")]
    ReadyInThePast,
}

/// A kitchen's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KitchenState {
    open: bool,
    busy_until: Option<Seconds>,
    awaiting: BTreeMap<OrderId, Seconds>,
    cooking: BTreeMap<OrderId, Seconds>,
}

impl KitchenState {
    /// Whether the kitchen takes orders at all.
    pub const fn is_open(&self) -> bool {
        self.open
    }

    /// Whether busy mode holds at `now`.
    pub fn is_busy(&self, now: Seconds) -> bool {
        self.busy_until.is_some_and(|until| now < until)
    }

    /// Orders waiting for the chef, with their deadlines.
    pub fn awaiting(&self) -> impl Iterator<Item = (OrderId, Seconds)> + '_ {
        self.awaiting.iter().map(|(&o, &d)| (o, d))
    }

    /// Orders cooking, with their ready estimates.
    pub fn cooking(&self) -> impl Iterator<Item = (OrderId, Seconds)> + '_ {
        self.cooking.iter().map(|(&o, &r)| (o, r))
    }

    /// Opens the kitchen.
    pub fn open(&mut self) {
        self.open = true;
    }

    /// Closes the kitchen to new orders (orders in hand are still served).
    pub fn close(&mut self) {
        self.open = false;
    }

    /// Takes no new orders until `until` (`None` ends busy mode).
    pub fn set_busy(&mut self, until: Option<Seconds>) {
        self.busy_until = until;
    }

    /// An order arrives at `now`; the chef has `answer_within` to answer.
    pub fn receive(
        &mut self,
        order: OrderId,
        now: Seconds,
        answer_within: Seconds,
    ) -> Result<Intake, KitchenError> {
        if self.awaiting.contains_key(&order) || self.cooking.contains_key(&order) {
            return Err(KitchenError::Duplicate(order));
        }
        if !self.open {
            return Ok(Intake::Refused(RejectReason::Declined {
                note: Some("the kitchen is closed".into()),
            }));
        }
        if self.is_busy(now) {
            return Ok(Intake::Refused(RejectReason::Busy));
        }
        let deadline = now + answer_within;
        self.awaiting.insert(order, deadline);
        Ok(Intake::AwaitingAnswer { deadline })
    }

    /// The chef accepts at `now`, expecting the food ready at `ready_at`.
    pub fn accept(
        &mut self,
        order: OrderId,
        now: Seconds,
        ready_at: Seconds,
    ) -> Result<(), KitchenError> {
        if !self.awaiting.contains_key(&order) {
            return Err(KitchenError::NotAwaiting(order));
        }
        if ready_at < now {
            return Err(KitchenError::ReadyInThePast);
        }
        self.awaiting.remove(&order);
        self.cooking.insert(order, ready_at);
        Ok(())
    }

    /// The chef rejects.
    pub fn reject(&mut self, order: OrderId) -> Result<(), KitchenError> {
        self.awaiting
            .remove(&order)
            .map(|_| ())
            .ok_or(KitchenError::NotAwaiting(order))
    }

    /// The answer deadline of `order` passed at `now`: true when the order is
    /// rejected for want of an answer, false when the chef answered in time.
    pub fn answer_timed_out(&mut self, order: OrderId, now: Seconds) -> bool {
        match self.awaiting.get(&order) {
            Some(&deadline) if now >= deadline => {
                self.awaiting.remove(&order);
                true
            }
            _ => false,
        }
    }

    /// The food is ready and leaves the kitchen's queue.
    pub fn mark_ready(&mut self, order: OrderId) -> Result<(), KitchenError> {
        self.cooking
            .remove(&order)
            .map(|_| ())
            .ok_or(KitchenError::NotCooking(order))
    }

    /// An order sent to this kitchen earlier waits for the chef's answer
    /// (told again after the kitchen was rebuilt): it waits again, with a
    /// fresh answer window, whether or not the kitchen would take new
    /// orders now. Returns the new deadline; `None` if already known.
    pub fn resume_awaiting(
        &mut self,
        order: OrderId,
        now: Seconds,
        answer_within: Seconds,
    ) -> Option<Seconds> {
        if self.awaiting.contains_key(&order) || self.cooking.contains_key(&order) {
            return None;
        }
        let deadline = now + answer_within;
        self.awaiting.insert(order, deadline);
        Some(deadline)
    }

    /// An order accepted earlier is cooking here (told again after the
    /// kitchen was rebuilt); nothing changes if the kitchen knows it already.
    pub fn resume_cooking(&mut self, order: OrderId, ready_at: Seconds) {
        if !self.awaiting.contains_key(&order) {
            self.cooking.entry(order).or_insert(ready_at);
        }
    }

    /// An order was cancelled: forget it wherever it is.
    pub fn forget(&mut self, order: OrderId) {
        self.awaiting.remove(&order);
        self.cooking.remove(&order);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open() -> KitchenState {
        let mut k = KitchenState::default();
        k.open();
        k
    }

    #[test]
    fn an_order_is_answered_then_cooked_then_ready() {
        let mut k = open();
        let intake = k
            .receive(OrderId(1), Seconds(0), Seconds(120))
            .expect("new order");
        assert_eq!(
            intake,
            Intake::AwaitingAnswer {
                deadline: Seconds(120)
            }
        );
        k.accept(OrderId(1), Seconds(30), Seconds(900))
            .expect("awaiting");
        assert_eq!(
            k.cooking().collect::<Vec<_>>(),
            vec![(OrderId(1), Seconds(900))]
        );
        assert!(
            !k.answer_timed_out(OrderId(1), Seconds(120)),
            "answered in time"
        );
        k.mark_ready(OrderId(1)).expect("cooking");
        assert_eq!(
            k.mark_ready(OrderId(1)),
            Err(KitchenError::NotCooking(OrderId(1)))
        );
    }

    #[test]
    fn an_unanswered_order_is_rejected_at_its_deadline_only() {
        let mut k = open();
        k.receive(OrderId(1), Seconds(0), Seconds(120))
            .expect("new order");
        assert!(!k.answer_timed_out(OrderId(1), Seconds(119)));
        assert!(k.answer_timed_out(OrderId(1), Seconds(120)));
        assert_eq!(
            k.accept(OrderId(1), Seconds(121), Seconds(900)),
            Err(KitchenError::NotAwaiting(OrderId(1)))
        );
    }

    #[test]
    fn busy_or_closed_kitchens_refuse_new_orders() {
        let mut k = open();
        k.set_busy(Some(Seconds(600)));
        assert_eq!(
            k.receive(OrderId(1), Seconds(10), Seconds(60)),
            Ok(Intake::Refused(RejectReason::Busy))
        );
        assert!(matches!(
            k.receive(OrderId(2), Seconds(600), Seconds(60)),
            Ok(Intake::AwaitingAnswer { .. })
        ));
        k.close();
        assert!(matches!(
            k.receive(OrderId(3), Seconds(700), Seconds(60)),
            Ok(Intake::Refused(_))
        ));
        assert_eq!(
            k.receive(OrderId(2), Seconds(700), Seconds(60)),
            Err(KitchenError::Duplicate(OrderId(2)))
        );
    }

    #[test]
    fn ready_estimates_cannot_lie_in_the_past() {
        let mut k = open();
        k.receive(OrderId(1), Seconds(100), Seconds(60))
            .expect("new");
        assert_eq!(
            k.accept(OrderId(1), Seconds(100), Seconds(50)),
            Err(KitchenError::ReadyInThePast)
        );
        assert!(
            k.awaiting().any(|(o, _)| o == OrderId(1)),
            "a refused answer changes nothing"
        );
    }
}
