//! The payment side of an order, folded from its log: what was asked of the
//! customer's payment method, what the provider answered, which provider
//! call is due next, and the order's ledger.
//!
//! ```text
//! requested -> authorising -> authorised -> captured (delivered) -> refunded (an admin's refund)
//!                          \             \-> voided (rejected or cancelled)
//!                           \-> declined (the order is rejected)
//! ```
//!
//! Every step is two records: the event that makes a provider call due
//! (placement, delivery, a rejection or cancellation, a refund request),
//! then the event recording its answer. Between the two the step is *due*
//! ([`Payment::due`]), and whoever drives payments repeats it, with the
//! idempotency key of [`PaymentStep::key`], until its answer is recorded:
//! after a crash too, so a step has one effect however often it is sent.
//! Card data never enters here: only the provider's token for the payment
//! method, its intent and refund ids, and amounts.

use foodiefast_geo::OrderId;
use serde::{Deserialize, Serialize};

/// What the customer's payment method is asked to hold at placement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentTerms {
    /// The provider's token for the payment method (never card data).
    pub method: String,
    /// The amount to hold, minor units: the order's total.
    pub amount_cents: i64,
    /// ISO 4217 code, lower case.
    pub currency: String,
}

/// A hold the provider placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    /// The provider's id for it (a payment intent).
    pub intent: String,
    /// The amount held, minor units.
    pub amount_cents: i64,
}

/// Where an order's payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    /// No payment through the engine (paid outside it, or placed before payments).
    None,
    /// The authorisation is asked for, no answer recorded yet.
    Authorising,
    /// The provider declined the payment method.
    Declined,
    /// Held, neither captured nor voided yet.
    Authorised,
    /// Taken.
    Captured,
    /// The hold was released; nothing was taken.
    Voided,
    /// A refund is asked for, no answer recorded yet.
    Refunding,
    /// Some or all of the capture was given back.
    Refunded,
    /// The provider refused a step as final: an operator must look.
    Failed,
}

impl PaymentState {
    /// The state's name, as in views.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Authorising => "authorising",
            Self::Declined => "declined",
            Self::Authorised => "authorised",
            Self::Captured => "captured",
            Self::Voided => "voided",
            Self::Refunding => "refunding",
            Self::Refunded => "refunded",
            Self::Failed => "failed",
        }
    }

    /// Parses a name written by [`Self::as_str`].
    pub fn parse(name: &str) -> Option<Self> {
        [
            Self::None,
            Self::Authorising,
            Self::Declined,
            Self::Authorised,
            Self::Captured,
            Self::Voided,
            Self::Refunding,
            Self::Refunded,
            Self::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }

    /// Whether money may still move without anyone asking: an
    /// authorisation in flight, a hold not yet settled, a refund in flight.
    /// An order in one of these states is not finished, whatever its
    /// lifecycle status.
    pub const fn is_open(self) -> bool {
        matches!(self, Self::Authorising | Self::Authorised | Self::Refunding)
    }
}

/// A provider call that an order's log makes due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentStep {
    /// Hold the order's total on the payment method.
    Authorise(PaymentTerms),
    /// Take the hold (the order was delivered).
    Capture(Hold),
    /// Release the hold (the order was rejected or cancelled).
    Void(Hold),
    /// Give back part or all of the capture (an admin asked).
    Refund {
        /// The hold captured.
        hold: Hold,
        /// Which refund of the order (1, 2, ...).
        seq: u32,
        /// How much, minor units.
        amount_cents: i64,
    },
}

impl PaymentStep {
    /// The step's name, in keys, logs and [`PaymentOutcome::Failed`].
    pub fn name(&self) -> String {
        match self {
            Self::Authorise(_) => "authorise".to_owned(),
            Self::Capture(_) => "capture".to_owned(),
            Self::Void(_) => "void".to_owned(),
            Self::Refund { seq, .. } => format!("refund-{seq}"),
        }
    }

    /// The idempotency key of this step of `order`: the same every time the
    /// step is sent, so the provider gives it one effect.
    pub fn key(&self, order: OrderId) -> String {
        format!("foodiefast-order-{}-{}", order.0, self.name())
    }
}

/// A provider's final answer to a step, recorded in the order's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentOutcome {
    /// The hold is placed.
    Authorised(Hold),
    /// The payment method was declined.
    Declined {
        /// The provider's decline code.
        code: String,
        /// Its message, fit for the customer.
        message: String,
    },
    /// The hold was taken.
    Captured,
    /// The hold was released.
    Voided,
    /// Refund `seq` was made.
    Refunded {
        /// Which refund.
        seq: u32,
        /// The provider's id for it.
        refund: String,
    },
    /// The provider refused step `step` as final.
    Failed {
        /// The step's [`PaymentStep::name`].
        step: String,
        /// The provider's error code.
        code: String,
        /// Its message.
        message: String,
    },
}

/// Where an order's money went, in minor units. While nothing is in flight,
/// `authorised = captured + voided + refunded` ([`Ledger::check`]); `held`
/// is what is authorised and not yet settled either way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// Held on the payment method at authorisation.
    pub authorised_cents: i64,
    /// Taken and kept (captured less what was refunded).
    pub captured_cents: i64,
    /// Released without being taken.
    pub voided_cents: i64,
    /// Given back after being taken.
    pub refunded_cents: i64,
}

impl Ledger {
    /// What is held and neither taken nor released yet.
    pub const fn held_cents(&self) -> i64 {
        self.authorised_cents - self.captured_cents - self.voided_cents - self.refunded_cents
    }

    /// Checks the ledger's invariants: no amount negative, nothing settled
    /// beyond what was authorised, and, when `settled`, nothing still held.
    pub fn check(&self, settled: bool) -> Result<(), String> {
        let amounts = [
            self.authorised_cents,
            self.captured_cents,
            self.voided_cents,
            self.refunded_cents,
        ];
        if amounts.iter().any(|a| *a < 0) {
            return Err(format!("a negative amount in {self:?}"));
        }
        if self.held_cents() < 0 {
            return Err(format!("more settled than authorised in {self:?}"));
        }
        if settled && self.held_cents() != 0 {
            return Err(format!(
                "authorised {} != captured {} + voided {} + refunded {}",
                self.authorised_cents, self.captured_cents, self.voided_cents, self.refunded_cents
            ));
        }
        Ok(())
    }
}

/// An order's payment, folded from its events by the order (see
/// [`Order`](super::order::Order)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub(super) terms: Option<PaymentTerms>,
    pub(super) hold: Option<Hold>,
    pub(super) state: PaymentState,
    pub(super) ledger: Ledger,
    /// Refunds asked for so far (the next is one more).
    pub(super) refunds: u32,
    /// The refund asked for and not yet answered: (seq, amount).
    pub(super) refund_pending: Option<(u32, i64)>,
    /// The decline or failure the provider gave, for people.
    pub(super) problem: Option<String>,
}

impl Default for Payment {
    fn default() -> Self {
        Self {
            terms: None,
            hold: None,
            state: PaymentState::None,
            ledger: Ledger::default(),
            refunds: 0,
            refund_pending: None,
            problem: None,
        }
    }
}

impl Payment {
    /// Where the payment stands.
    pub const fn state(&self) -> PaymentState {
        self.state
    }

    /// What was asked at placement (`None`: no payment through the engine).
    pub const fn terms(&self) -> Option<&PaymentTerms> {
        self.terms.as_ref()
    }

    /// The provider's hold, once authorised.
    pub const fn hold(&self) -> Option<&Hold> {
        self.hold.as_ref()
    }

    /// The order's ledger.
    pub const fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Refunds asked for so far.
    pub const fn refunds(&self) -> u32 {
        self.refunds
    }

    /// The provider's decline or refusal, if any, for people.
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// How much may still be refunded.
    pub const fn refundable_cents(&self) -> i64 {
        match self.refund_pending {
            Some(_) => 0,
            None => self.ledger.captured_cents,
        }
    }
}
