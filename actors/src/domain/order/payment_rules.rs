//! The order's payment rules: which provider call is due, what an answer
//! records, and how payment events fold into the order.
//!
//! An answer repeated after it was recorded (a step sent again after a
//! crash, answered again under its key) is accepted and changes nothing; an
//! answer to a step that is not due is refused.

use foodiefast_geo::Seconds;

use super::{Order, OrderError, OrderEvent, OrderStatus};
use crate::domain::payment::{PaymentOutcome, PaymentState, PaymentStep};

impl Order {
    /// The provider call the order's log makes due now, if any.
    pub fn payment_due(&self) -> Option<PaymentStep> {
        let payment = &self.payment;
        match payment.state {
            PaymentState::Authorising => payment.terms.clone().map(PaymentStep::Authorise),
            PaymentState::Authorised => {
                let hold = payment.hold.clone()?;
                match self.status {
                    OrderStatus::Delivered => Some(PaymentStep::Capture(hold)),
                    OrderStatus::Rejected | OrderStatus::Cancelled => Some(PaymentStep::Void(hold)),
                    _ => None,
                }
            }
            PaymentState::Refunding => {
                let hold = payment.hold.clone()?;
                let (seq, amount_cents) = payment.refund_pending?;
                Some(PaymentStep::Refund {
                    hold,
                    seq,
                    amount_cents,
                })
            }
            _ => None,
        }
    }

    /// Checks the order's ledger against its lifecycle: the amounts add up
    /// ([`Ledger::check`](crate::domain::payment::Ledger::check)), nothing
    /// is held once the order is finished (unless a step failed and waits
    /// for an operator, which this reports), nothing is taken from an
    /// order that was not delivered, and nothing is held without a hold.
    pub fn check_ledger(&self) -> Result<(), String> {
        let ledger = self.payment.ledger;
        let state = self.payment.state;
        let finished = self.status.is_terminal() && !state.is_open();
        ledger.check(finished)?;
        let taken = ledger.captured_cents + ledger.refunded_cents;
        if taken > 0 && self.status != OrderStatus::Delivered {
            return Err(format!(
                "{taken} taken from an order that is {}",
                self.status.as_str()
            ));
        }
        if ledger.authorised_cents > 0 && self.payment.hold.is_none() {
            return Err("an amount authorised without a hold".to_owned());
        }
        if matches!(
            state,
            PaymentState::None | PaymentState::Declined | PaymentState::Authorising
        ) && ledger.authorised_cents != 0
        {
            return Err(format!(
                "{} authorised while {}",
                ledger.authorised_cents,
                state.as_str()
            ));
        }
        Ok(())
    }

    /// The events recording `outcome`, the provider's answer to a step.
    pub(super) fn decide_payment(
        &self,
        at: Seconds,
        outcome: &PaymentOutcome,
    ) -> Result<Vec<OrderEvent>, OrderError> {
        use PaymentOutcome as O;
        use PaymentStep as P;
        let payment = &self.payment;
        let state = payment.state;
        let events = match (outcome, self.payment_due()) {
            (O::Authorised(hold), Some(P::Authorise(_))) => {
                let mut events = vec![OrderEvent::PaymentAuthorised {
                    at,
                    hold: Some(hold.clone()),
                }];
                // Authorised while still placed: now the chef may hear of it.
                if self.status == OrderStatus::Placed {
                    events.push(OrderEvent::SentToChef { at });
                }
                events
            }
            (O::Declined { code, message }, Some(P::Authorise(_))) => {
                vec![OrderEvent::PaymentDeclined {
                    at,
                    code: code.clone(),
                    message: message.clone(),
                }]
            }
            (O::Captured, Some(P::Capture(hold))) => vec![OrderEvent::PaymentCaptured {
                at,
                amount_cents: hold.amount_cents,
            }],
            (O::Voided, Some(P::Void(hold))) => vec![OrderEvent::PaymentVoided {
                at,
                amount_cents: hold.amount_cents,
            }],
            (
                O::Refunded { seq, refund },
                Some(P::Refund {
                    seq: due,
                    amount_cents,
                    ..
                }),
            ) if *seq == due => vec![OrderEvent::PaymentRefunded {
                at,
                seq: *seq,
                amount_cents,
                refund: refund.clone(),
            }],
            (
                O::Failed {
                    step,
                    code,
                    message,
                },
                Some(due),
            ) if due.name() == *step => {
                vec![OrderEvent::PaymentFailed {
                    at,
                    step: step.clone(),
                    code: code.clone(),
                    message: message.clone(),
                }]
            }
            // Answers already recorded: a repeat changes nothing.
            (O::Authorised(hold), _) if payment.hold.as_ref() == Some(hold) => Vec::new(),
            (O::Declined { .. }, _) if state == PaymentState::Declined => Vec::new(),
            (O::Captured, _)
                if matches!(
                    state,
                    PaymentState::Captured | PaymentState::Refunding | PaymentState::Refunded
                ) =>
            {
                Vec::new()
            }
            (O::Voided, _) if state == PaymentState::Voided => Vec::new(),
            (O::Refunded { seq, .. }, _)
                if *seq <= payment.refunds && payment.refund_pending.map(|p| p.0) != Some(*seq) =>
            {
                Vec::new()
            }
            (O::Failed { .. }, _) if state == PaymentState::Failed => Vec::new(),
            _ => {
                return Err(OrderError::Payment(format!(
                    "no payment step of this kind is due (the payment is {})",
                    state.as_str()
                )));
            }
        };
        Ok(events)
    }

    /// The event asking for refund `seq`, of `amount_cents` (none when
    /// refund `seq` was already asked for).
    pub(super) fn decide_refund(
        &self,
        at: Seconds,
        seq: u32,
        amount_cents: i64,
        note: &str,
    ) -> Result<Vec<OrderEvent>, OrderError> {
        let payment = &self.payment;
        if seq >= 1 && seq <= payment.refunds {
            return Ok(Vec::new());
        }
        if seq != payment.refunds + 1 {
            return Err(OrderError::Payment(format!(
                "the next refund of this order is number {}",
                payment.refunds + 1
            )));
        }
        let refusal = match payment.state {
            PaymentState::Refunding => Some("a refund of this order is in progress".to_owned()),
            PaymentState::Captured | PaymentState::Refunded => None,
            other => Some(format!(
                "only a captured payment can be refunded (this one is {})",
                other.as_str()
            )),
        };
        if let Some(refusal) = refusal {
            return Err(OrderError::Payment(refusal));
        }
        let refundable = payment.refundable_cents();
        if amount_cents <= 0 || amount_cents > refundable {
            return Err(OrderError::Payment(format!(
                "a refund must be between 1 and {refundable} minor units"
            )));
        }
        Ok(vec![OrderEvent::RefundRequested {
            at,
            seq,
            amount_cents,
            note: note.to_owned(),
        }])
    }

    /// Folds a payment event; `Ok(None)` when `event` is not one.
    pub(super) fn apply_payment(
        &mut self,
        event: &OrderEvent,
    ) -> Result<Option<Seconds>, OrderError> {
        use OrderEvent as E;
        use OrderStatus as S;
        use PaymentState as P;
        if let Some(at) = self.apply_refund(event)? {
            return Ok(Some(at));
        }
        let at = match event {
            E::PaymentRequested { at, terms } => {
                if self.status != S::Placed || self.payment.terms.is_some() {
                    return Err(self.corrupt_payment("payment requested twice or late"));
                }
                self.payment.terms = Some(terms.clone());
                self.payment.state = P::Authorising;
                *at
            }
            E::PaymentAuthorised {
                at,
                hold: Some(hold),
            } => {
                if self.payment.state != P::Authorising
                    || !matches!(self.status, S::Placed | S::Cancelled)
                {
                    return Err(self.corrupt_payment("an authorisation not asked for"));
                }
                if self.status == S::Placed {
                    self.status = S::PaymentAuthorised;
                }
                self.payment.ledger.authorised_cents = hold.amount_cents;
                self.payment.hold = Some(hold.clone());
                self.payment.state = P::Authorised;
                *at
            }
            E::PaymentDeclined { at, message, .. } => {
                if self.payment.state != P::Authorising
                    || !matches!(self.status, S::Placed | S::Cancelled)
                {
                    return Err(self.corrupt_payment("a decline not asked for"));
                }
                self.payment.state = P::Declined;
                self.payment.problem = Some(message.clone());
                if self.status == S::Placed {
                    self.status = S::Rejected;
                    self.reason = Some(format!("payment_declined: {message}"));
                }
                *at
            }
            E::PaymentCaptured { at, amount_cents } => {
                if self.payment.state != P::Authorised || self.status != S::Delivered {
                    return Err(self.corrupt_payment("a capture before delivery"));
                }
                self.payment.ledger.captured_cents = *amount_cents;
                self.payment.state = P::Captured;
                *at
            }
            E::PaymentVoided { at, amount_cents } => {
                if self.payment.state != P::Authorised
                    || !matches!(self.status, S::Rejected | S::Cancelled)
                {
                    return Err(self.corrupt_payment("a void of a live order"));
                }
                self.payment.ledger.voided_cents = *amount_cents;
                self.payment.state = P::Voided;
                *at
            }
            E::PaymentFailed { at, message, .. } => {
                if !self.payment.state.is_open() {
                    return Err(self.corrupt_payment("a failure of no step"));
                }
                self.payment.refund_pending = None;
                self.payment.problem = Some(message.clone());
                self.payment.state = P::Failed;
                *at
            }
            _ => return Ok(None),
        };
        Ok(Some(at))
    }

    /// Folds a refund event; `Ok(None)` when `event` is not one.
    fn apply_refund(&mut self, event: &OrderEvent) -> Result<Option<Seconds>, OrderError> {
        use OrderEvent as E;
        use PaymentState as P;
        let at = match event {
            E::RefundRequested {
                at,
                seq,
                amount_cents,
                ..
            } => {
                let allowed = matches!(self.payment.state, P::Captured | P::Refunded)
                    && *seq == self.payment.refunds + 1
                    && *amount_cents > 0
                    && *amount_cents <= self.payment.ledger.captured_cents;
                if !allowed {
                    return Err(self.corrupt_payment("a refund beyond the capture"));
                }
                self.payment.refunds = *seq;
                self.payment.refund_pending = Some((*seq, *amount_cents));
                self.payment.state = P::Refunding;
                *at
            }
            E::PaymentRefunded {
                at,
                seq,
                amount_cents,
                ..
            } => {
                if self.payment.refund_pending != Some((*seq, *amount_cents)) {
                    return Err(self.corrupt_payment("a refund not asked for"));
                }
                self.payment.refund_pending = None;
                self.payment.ledger.captured_cents -= amount_cents;
                self.payment.ledger.refunded_cents += amount_cents;
                self.payment.state = P::Refunded;
                *at
            }
            _ => return Ok(None),
        };
        Ok(Some(at))
    }

    fn corrupt_payment(&self, reason: &str) -> OrderError {
        OrderError::CorruptHistory {
            order: self.details.id.to_string(),
            reason: format!(
                "{reason} while {} and the payment {}",
                self.status.as_str(),
                self.payment.state.as_str()
            ),
        }
    }
}
