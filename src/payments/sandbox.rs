//! The sandbox provider: payments in the process, for the embedded default
//! and the demo. Named as such everywhere it shows: it moves no money.
//!
//! It answers like a card provider's test mode, by the test payment methods
//! such providers document: `pm_card_visa` and `pm_card_mastercard` are
//! approved; `pm_card_chargeDeclined` is declined (`card_declined`),
//! `pm_card_chargeDeclinedInsufficientFunds` for `insufficient_funds`,
//! `pm_card_chargeDeclinedExpiredCard` for `expired_card`; any other method
//! is unknown. Holds follow the provider's rules: capture or void a hold
//! once, capture at most what was held, refund at most what was captured;
//! a key repeated with the same call answers as the first time, with
//! another call it is refused.
//!
//! Holds are kept in memory. An intent id spells out its amount and
//! currency, so a hold made before a restart can still be captured or
//! voided after it (once per process: the sandbox cannot know what an
//! earlier process did with it).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;

use super::{
    Authorisation, AuthoriseRequest, IntentId, Money, PaymentError, PaymentProvider, RefundId,
};

/// Where a hold stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HoldStatus {
    RequiresCapture,
    Succeeded,
    Canceled,
}

#[derive(Debug, Clone)]
struct Hold {
    amount: Money,
    status: HoldStatus,
    captured: i64,
    refunded: i64,
}

/// A call's answer, kept under its idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Authorised(Authorisation),
    Done,
    Refunded(RefundId),
}

#[derive(Debug, Default)]
struct Books {
    holds: HashMap<IntentId, Hold>,
    /// Idempotency key to (what the call was, its answer).
    keys: HashMap<String, (String, Result<Answer, PaymentError>)>,
}

/// The sandbox provider.
#[derive(Debug)]
pub struct SandboxPayments {
    books: Mutex<Books>,
    /// Makes intent ids unique across processes.
    epoch: u64,
    next: AtomicU64,
}

impl Default for SandboxPayments {
    fn default() -> Self {
        let epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self {
            books: Mutex::default(),
            epoch,
            next: AtomicU64::new(1),
        }
    }
}

fn declined(code: &str, message: &str) -> PaymentError {
    PaymentError::Declined {
        code: code.to_owned(),
        message: message.to_owned(),
    }
}

fn refused(code: &str, message: String) -> PaymentError {
    PaymentError::Refused {
        code: code.to_owned(),
        message,
    }
}

/// The amount and currency an intent id spells out.
fn parse_intent(intent: &IntentId) -> Option<Money> {
    let mut parts = intent.0.strip_prefix("pi_sandbox_")?.split('_');
    let minor = parts.next()?.parse().ok()?;
    let currency = parts.next()?;
    let valid = currency.len() == 3 && currency.chars().all(|c| c.is_ascii_lowercase());
    valid.then(|| Money {
        minor,
        currency: currency.to_owned(),
    })
}

impl SandboxPayments {
    fn books(&self) -> std::sync::MutexGuard<'_, Books> {
        // Each call completes its changes under the lock.
        self.books
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `call` (described by `what`) once per `key`.
    fn once(
        &self,
        key: &str,
        what: String,
        call: impl FnOnce(&mut Books) -> Result<Answer, PaymentError>,
    ) -> Result<Answer, PaymentError> {
        let mut books = self.books();
        if let Some((earlier, answer)) = books.keys.get(key) {
            if *earlier != what {
                return Err(refused(
                    "idempotency_error",
                    format!("key {key} was used for another request"),
                ));
            }
            return answer.clone();
        }
        let answer = call(&mut books);
        books.keys.insert(key.to_owned(), (what, answer.clone()));
        answer
    }

    fn new_intent(&self, amount: &Money) -> IntentId {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        IntentId(format!(
            "pi_sandbox_{}_{}_{}x{n}",
            amount.minor, amount.currency, self.epoch
        ))
    }
}

/// The hold `intent`, known or rebuilt from its id.
fn hold<'a>(books: &'a mut Books, intent: &IntentId) -> Result<&'a mut Hold, PaymentError> {
    if !books.holds.contains_key(intent) {
        let amount = parse_intent(intent).ok_or_else(|| {
            refused(
                "resource_missing",
                format!("no such payment intent {intent}"),
            )
        })?;
        books.holds.insert(
            intent.clone(),
            Hold {
                amount,
                status: HoldStatus::RequiresCapture,
                captured: 0,
                refunded: 0,
            },
        );
    }
    books.holds.get_mut(intent).ok_or_else(|| {
        refused(
            "resource_missing",
            format!("no such payment intent {intent}"),
        )
    })
}

#[async_trait]
impl PaymentProvider for SandboxPayments {
    async fn authorise(
        &self,
        request: &AuthoriseRequest,
        key: &str,
    ) -> Result<Authorisation, PaymentError> {
        let what = format!("authorise {request:?}");
        let answer = self.once(key, what, |books| {
            let amount = &request.amount;
            if amount.minor <= 0 {
                return Err(refused("amount_too_small", "amounts are positive".into()));
            }
            match request.method.0.as_str() {
                "pm_card_visa" | "pm_card_mastercard" => {}
                "pm_card_chargeDeclined" => {
                    return Err(declined("card_declined", "Your card was declined."));
                }
                "pm_card_chargeDeclinedInsufficientFunds" => {
                    return Err(declined(
                        "insufficient_funds",
                        "Your card has insufficient funds.",
                    ));
                }
                "pm_card_chargeDeclinedExpiredCard" => {
                    return Err(declined("expired_card", "Your card has expired."));
                }
                other => {
                    return Err(refused(
                        "resource_missing",
                        format!("no such payment method {other:?}"),
                    ));
                }
            }
            let intent = self.new_intent(amount);
            books.holds.insert(
                intent.clone(),
                Hold {
                    amount: amount.clone(),
                    status: HoldStatus::RequiresCapture,
                    captured: 0,
                    refunded: 0,
                },
            );
            Ok(Answer::Authorised(Authorisation {
                intent,
                amount: amount.clone(),
            }))
        })?;
        match answer {
            Answer::Authorised(authorisation) => Ok(authorisation),
            _ => Err(refused(
                "idempotency_error",
                format!("key {key} was used for another request"),
            )),
        }
    }

    async fn capture(&self, intent: &IntentId, minor: i64, key: &str) -> Result<(), PaymentError> {
        let what = format!("capture {intent} {minor}");
        self.once(key, what, |books| {
            let hold = hold(books, intent)?;
            match hold.status {
                HoldStatus::Succeeded => return Ok(Answer::Done),
                HoldStatus::Canceled => {
                    return Err(refused(
                        "payment_intent_unexpected_state",
                        format!("{intent} was voided"),
                    ));
                }
                HoldStatus::RequiresCapture => {}
            }
            if minor <= 0 || minor > hold.amount.minor {
                return Err(refused(
                    "amount_too_large",
                    format!("capture of {minor} against a hold of {}", hold.amount.minor),
                ));
            }
            hold.status = HoldStatus::Succeeded;
            hold.captured = minor;
            Ok(Answer::Done)
        })
        .map(drop)
    }

    async fn void(&self, intent: &IntentId, key: &str) -> Result<(), PaymentError> {
        let what = format!("void {intent}");
        self.once(key, what, |books| {
            let hold = hold(books, intent)?;
            match hold.status {
                HoldStatus::Canceled => Ok(Answer::Done),
                HoldStatus::Succeeded => Err(refused(
                    "payment_intent_unexpected_state",
                    format!("{intent} was captured: refund it instead"),
                )),
                HoldStatus::RequiresCapture => {
                    hold.status = HoldStatus::Canceled;
                    Ok(Answer::Done)
                }
            }
        })
        .map(drop)
    }

    async fn refund(
        &self,
        intent: &IntentId,
        minor: i64,
        key: &str,
    ) -> Result<RefundId, PaymentError> {
        let what = format!("refund {intent} {minor}");
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let id = RefundId(format!("re_sandbox_{}x{n}", self.epoch));
        let answer = self.once(key, what, |books| {
            let hold = hold(books, intent)?;
            if hold.status != HoldStatus::Succeeded {
                return Err(refused(
                    "charge_not_captured",
                    format!("{intent} has nothing captured to refund"),
                ));
            }
            if minor <= 0 || hold.refunded + minor > hold.captured {
                return Err(refused(
                    "amount_too_large",
                    format!(
                        "refund of {minor}: {} captured, {} refunded",
                        hold.captured, hold.refunded
                    ),
                ));
            }
            hold.refunded += minor;
            Ok(Answer::Refunded(id))
        })?;
        match answer {
            Answer::Refunded(id) => Ok(id),
            _ => Err(refused(
                "idempotency_error",
                format!("key {key} was used for another request"),
            )),
        }
    }
}
