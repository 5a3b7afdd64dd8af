//! A payment provider for the saga's tests: keeps holds like a card
//! provider (capture or void a hold once, refund at most what was taken),
//! answers a key repeated with the same call as the first time, and fails
//! on demand: unavailable before doing anything, or after doing it with
//! the answer lost. Every effect is counted per intent, so a test can tell
//! a repeated call from a second charge.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use async_trait::async_trait;
use foodiefast_actors::payments::{
    Authorisation, AuthoriseRequest, IntentId, PaymentError, PaymentProvider, RefundId,
};

/// What the provider knows of one hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct HoldRecord {
    /// The order it was made for (the request's metadata).
    pub(crate) order: u64,
    pub(crate) amount: i64,
    /// Captures, voids and refunds that took effect.
    pub(crate) captures: u32,
    pub(crate) voids: u32,
    pub(crate) refunds: u32,
    pub(crate) captured: i64,
    pub(crate) refunded: i64,
}

impl HoldRecord {
    /// Whether the hold still waits to be captured or voided.
    pub(crate) const fn hanging(&self) -> bool {
        self.captures == 0 && self.voids == 0
    }
}

type Answer = Result<String, PaymentError>;

#[derive(Debug, Default)]
struct Books {
    holds: HashMap<String, HoldRecord>,
    /// Key -> (the call, its answer).
    keys: HashMap<String, (String, Answer)>,
}

/// The provider double.
#[derive(Debug, Default)]
pub(crate) struct FakeProvider {
    books: Mutex<Books>,
    next: AtomicU32,
    /// Calls to answer `Unavailable` without doing anything.
    pub(crate) fail_next: AtomicUsize,
    /// Calls to carry out and then answer `Unavailable` (answer lost).
    pub(crate) lose_next: AtomicUsize,
    /// Calls that reached the provider (repeats included).
    pub(crate) calls: AtomicUsize,
    /// A deterministic source of faults: each call fails or loses its
    /// answer with these chances (per thousand), from this seed.
    pub(crate) chaos: Mutex<Option<Chaos>>,
}

/// Random faults from a seed.
#[derive(Debug)]
pub(crate) struct Chaos {
    pub(crate) rng: Rng,
    pub(crate) fail_per_mille: u64,
    pub(crate) lose_per_mille: u64,
}

/// A small deterministic generator (splitmix64).
#[derive(Debug, Clone)]
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n`.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn take(counter: &AtomicUsize) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

fn unavailable() -> PaymentError {
    PaymentError::Unavailable("injected".into())
}

fn refused(message: &str) -> PaymentError {
    PaymentError::Refused {
        code: "invalid_request".into(),
        message: message.into(),
    }
}

impl FakeProvider {
    fn books(&self) -> std::sync::MutexGuard<'_, Books> {
        self.books.lock().unwrap()
    }

    /// Every hold, by intent.
    pub(crate) fn holds(&self) -> HashMap<String, HoldRecord> {
        self.books().holds.clone()
    }

    /// The fault to inject in this call: (fail before, lose after).
    fn fault(&self) -> (bool, bool) {
        if take(&self.fail_next) {
            return (true, false);
        }
        if take(&self.lose_next) {
            return (false, true);
        }
        let mut chaos = self.chaos.lock().unwrap();
        let Some(chaos) = chaos.as_mut() else {
            return (false, false);
        };
        let roll = chaos.rng.below(1000);
        (
            roll < chaos.fail_per_mille,
            roll >= chaos.fail_per_mille && roll < chaos.fail_per_mille + chaos.lose_per_mille,
        )
    }

    /// Runs `call` (described by `what`) once per key, with faults.
    fn idempotent(
        &self,
        key: &str,
        what: String,
        call: impl FnOnce(&mut Books) -> Answer,
    ) -> Answer {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let (fail, lose) = self.fault();
        if fail {
            return Err(unavailable());
        }
        let mut books = self.books();
        let answer = match books.keys.get(key) {
            Some((seen, _)) if *seen != what => Err(refused("key reused with other parameters")),
            Some((_, answer)) => answer.clone(),
            None => {
                let answer = call(&mut books);
                books.keys.insert(key.to_owned(), (what, answer.clone()));
                answer
            }
        };
        if lose { Err(unavailable()) } else { answer }
    }

    fn hold<'a>(
        books: &'a mut Books,
        intent: &IntentId,
    ) -> Result<&'a mut HoldRecord, PaymentError> {
        books
            .holds
            .get_mut(&intent.0)
            .ok_or_else(|| refused("no such intent"))
    }
}

#[async_trait]
impl PaymentProvider for FakeProvider {
    async fn authorise(
        &self,
        request: &AuthoriseRequest,
        key: &str,
    ) -> Result<Authorisation, PaymentError> {
        let what = format!("authorise {} {:?}", request.order, request.amount);
        let intent = self.idempotent(key, what, |books| {
            if request.method.0.contains("Declined") {
                return Err(PaymentError::Declined {
                    code: "card_declined".into(),
                    message: "Your card was declined.".into(),
                });
            }
            let intent = format!("pi_{}", self.next.fetch_add(1, Ordering::SeqCst) + 1);
            books.holds.insert(
                intent.clone(),
                HoldRecord {
                    order: request.order,
                    amount: request.amount.minor,
                    ..HoldRecord::default()
                },
            );
            Ok(intent)
        })?;
        Ok(Authorisation {
            intent: IntentId(intent),
            amount: request.amount.clone(),
        })
    }

    async fn capture(&self, intent: &IntentId, minor: i64, key: &str) -> Result<(), PaymentError> {
        self.idempotent(key, format!("capture {intent} {minor}"), |books| {
            let hold = Self::hold(books, intent)?;
            if !hold.hanging() || minor > hold.amount {
                return Err(refused("the hold cannot be captured"));
            }
            hold.captures += 1;
            hold.captured = minor;
            Ok(String::new())
        })
        .map(drop)
    }

    async fn void(&self, intent: &IntentId, key: &str) -> Result<(), PaymentError> {
        self.idempotent(key, format!("void {intent}"), |books| {
            let hold = Self::hold(books, intent)?;
            if !hold.hanging() {
                return Err(refused("the hold cannot be voided"));
            }
            hold.voids += 1;
            Ok(String::new())
        })
        .map(drop)
    }

    async fn refund(
        &self,
        intent: &IntentId,
        minor: i64,
        key: &str,
    ) -> Result<RefundId, PaymentError> {
        let id = self.idempotent(key, format!("refund {intent} {minor}"), |books| {
            let hold = Self::hold(books, intent)?;
            if hold.captures == 0 || hold.refunded + minor > hold.captured {
                return Err(refused("more refunded than captured"));
            }
            hold.refunds += 1;
            hold.refunded += minor;
            Ok(format!("re_{intent}_{}", hold.refunds))
        })?;
        Ok(RefundId(id))
    }
}
