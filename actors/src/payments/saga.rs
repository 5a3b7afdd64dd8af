//! The payment saga's driver. Order actors own the saga's state (each step
//! is an event in the order's log, [`crate::domain::payment`]); this takes
//! the step an order's log makes due to the provider and brings the answer
//! back as [`OrderCommand::RecordPayment`], through the order router, so
//! the order records it like any other command.
//!
//! - One task per order and step: an order asking again for a step already
//!   in flight (after a restart of its actor, a wake-up, a resume) is not
//!   sent twice. Recovery at engine start asks every unfinished order, so
//!   every step whose answer a crash lost is sent again, under the same
//!   idempotency key: the provider gives it one effect.
//! - `Unavailable` (the outcome is unknown) is repeated with exponential
//!   backoff on engine time until the provider answers; declines and
//!   refusals are final answers and recorded.
//! - The courier search: an order accepted by its kitchen that still has no
//!   courier `courier_timeout` after the acceptance is cancelled
//!   ([`OrderCommand::CourierSearchExpired`]), which voids its hold and
//!   tells the customer on the order's feed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use foodiefast_geo::OrderId;
use tokio::task::AbortHandle;

use super::{AuthoriseRequest, IntentId, Money, PaymentError, PaymentMethod, PaymentProvider};
use crate::clock::Clock;
use crate::domain::order::{Order, OrderCommand};
use crate::domain::payment::{Hold, PaymentOutcome, PaymentStep};
use crate::error::EngineError;
use crate::orders::OrderRouter;

/// How the saga behaves.
#[derive(Debug, Clone)]
pub struct SagaConfig {
    /// ISO 4217 code, lower case, of every order's amount.
    pub currency: String,
    /// How long after its kitchen accepted an order may wait for a courier
    /// before it is cancelled and its hold voided (`None`: forever).
    pub courier_timeout: Option<Duration>,
    /// The first pause before repeating a step the provider did not answer.
    pub retry_first: Duration,
    /// The longest pause between repeats.
    pub retry_max: Duration,
    /// How long a placement waits for the authorisation's answer before it
    /// answers with the order still authorising.
    pub placement_wait: Duration,
}

impl Default for SagaConfig {
    fn default() -> Self {
        Self {
            currency: "eur".to_owned(),
            courier_timeout: Some(Duration::from_mins(45)),
            retry_first: Duration::from_secs(1),
            retry_max: Duration::from_mins(5),
            placement_wait: Duration::from_secs(10),
        }
    }
}

/// What a task works on: one step of one order, or its courier search.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Job {
    Step(OrderId, String),
    CourierSearch(OrderId),
}

/// Drives every order's payment steps to the provider.
pub struct PaymentSaga {
    provider: Arc<dyn PaymentProvider>,
    /// Weak: the router (through the engine's context) holds the saga.
    router: Weak<OrderRouter>,
    clock: Clock,
    config: SagaConfig,
    running: Mutex<HashMap<Job, AbortHandle>>,
}

impl std::fmt::Debug for PaymentSaga {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentSaga")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl PaymentSaga {
    /// A saga taking steps to `provider` and answers to `router`'s orders.
    pub fn new(
        provider: Arc<dyn PaymentProvider>,
        router: Weak<OrderRouter>,
        clock: Clock,
        config: SagaConfig,
    ) -> Self {
        Self {
            provider,
            router,
            clock,
            config,
            running: Mutex::default(),
        }
    }

    /// How the saga behaves.
    pub const fn config(&self) -> &SagaConfig {
        &self.config
    }

    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<Job, AbortHandle>> {
        // Every change below completes under the lock or not at all.
        self.running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Starts whatever `order` waits on from the saga: its due payment
    /// step, its courier search deadline. Cheap and safe to call after
    /// every event: a job already running is not started again.
    pub fn drive(self: &Arc<Self>, order: &Order) {
        let id = order.id();
        if let Some(step) = order.payment_due() {
            let job = Job::Step(id, step.name());
            let saga = self.clone();
            self.start(job.clone(), async move {
                let outcome = saga.take_step(id, &step).await;
                saga.record(id, outcome).await;
                saga.finished(&job);
            });
        }
        if let (Some(timeout), Some(accepted_at), true) = (
            self.config.courier_timeout,
            order.accepted_at(),
            order.needs_courier(),
        ) {
            let job = Job::CourierSearch(id);
            let saga = self.clone();
            let deadline = accepted_at + foodiefast_geo::Seconds(duration_secs(timeout));
            self.start(job.clone(), async move {
                tokio::time::sleep_until(saga.clock.instant_at(deadline)).await;
                saga.command(id, OrderCommand::CourierSearchExpired).await;
                saga.finished(&job);
            });
        }
    }

    fn start(&self, job: Job, work: impl Future<Output = ()> + Send + 'static) {
        let mut running = self.running();
        if running.contains_key(&job) {
            return;
        }
        let handle = tokio::spawn(work);
        running.insert(job, handle.abort_handle());
    }

    fn finished(&self, job: &Job) {
        self.running().remove(job);
    }

    /// Payment steps and deadlines in flight.
    pub fn in_flight(&self) -> usize {
        self.running().len()
    }

    /// Stops every job (the engine stops); steps left unanswered are sent
    /// again by the next engine's recovery.
    pub fn shutdown(&self) {
        for (_, handle) in self.running().drain() {
            handle.abort();
        }
    }

    /// Sends `step` until the provider gives a final answer.
    async fn take_step(&self, id: OrderId, step: &PaymentStep) -> PaymentOutcome {
        let key = step.key(id);
        let mut pause = self.config.retry_first;
        loop {
            match self.call(id, step, &key).await {
                Ok(outcome) => return outcome,
                Err(PaymentError::Unavailable(why)) => {
                    tracing::warn!(order = %id, step = %step.name(), error = %why, retry_in = ?pause,
                        "payment provider unavailable; the step will be repeated");
                    metrics::counter!("foodiefast_payment_retries_total").increment(1);
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(self.config.retry_max);
                }
                Err(final_answer) => return Self::final_answer(id, step, final_answer),
            }
        }
    }

    async fn call(
        &self,
        id: OrderId,
        step: &PaymentStep,
        key: &str,
    ) -> Result<PaymentOutcome, PaymentError> {
        let provider = &self.provider;
        match step {
            PaymentStep::Authorise(terms) => {
                let request = AuthoriseRequest {
                    order: id.0,
                    amount: Money {
                        minor: terms.amount_cents,
                        currency: terms.currency.clone(),
                    },
                    method: PaymentMethod(terms.method.clone()),
                };
                let held = provider.authorise(&request, key).await?;
                Ok(PaymentOutcome::Authorised(Hold {
                    intent: held.intent.0,
                    amount_cents: held.amount.minor,
                }))
            }
            PaymentStep::Capture(hold) => {
                provider
                    .capture(&IntentId(hold.intent.clone()), hold.amount_cents, key)
                    .await?;
                Ok(PaymentOutcome::Captured)
            }
            PaymentStep::Void(hold) => {
                provider.void(&IntentId(hold.intent.clone()), key).await?;
                Ok(PaymentOutcome::Voided)
            }
            PaymentStep::Refund {
                hold,
                seq,
                amount_cents,
            } => {
                let refund = provider
                    .refund(&IntentId(hold.intent.clone()), *amount_cents, key)
                    .await?;
                Ok(PaymentOutcome::Refunded {
                    seq: *seq,
                    refund: refund.0,
                })
            }
        }
    }

    /// A decline or refusal: for an authorisation, the order is rejected
    /// (no hold exists); for any other step, an operator must look.
    fn final_answer(id: OrderId, step: &PaymentStep, error: PaymentError) -> PaymentOutcome {
        let (code, message) = match error {
            PaymentError::Declined { code, message } | PaymentError::Refused { code, message } => {
                (code, message)
            }
            PaymentError::Unavailable(message) => ("unavailable".to_owned(), message),
        };
        if let PaymentStep::Authorise(_) = step {
            metrics::counter!("foodiefast_payments_declined_total").increment(1);
            return PaymentOutcome::Declined { code, message };
        }
        tracing::error!(order = %id, step = %step.name(), code = %code,
            "the payment provider refused a step; an operator must settle it");
        metrics::counter!("foodiefast_payment_failures_total").increment(1);
        PaymentOutcome::Failed {
            step: step.name(),
            code,
            message,
        }
    }

    /// Records `outcome` in the order's log, repeating while the order or
    /// the store is unavailable: the provider's answer must not be lost.
    async fn record(&self, id: OrderId, outcome: PaymentOutcome) {
        self.command(id, OrderCommand::RecordPayment(outcome)).await;
    }

    async fn command(&self, id: OrderId, command: OrderCommand) {
        let mut pause = self.config.retry_first;
        loop {
            let Some(router) = self.router.upgrade() else {
                return;
            };
            match router.command(id, command.clone()).await {
                Ok(_) => return,
                Err(EngineError::Rejected(refused)) => {
                    // The order moved on (a repeat of an answer already
                    // recorded is accepted, so this is a real conflict).
                    tracing::error!(order = %id, command = command.name(), error = %refused,
                        "the order refused the saga's command");
                    return;
                }
                Err(err) => {
                    tracing::warn!(order = %id, command = command.name(), error = %err,
                        "cannot reach the order; retrying");
                }
            }
            drop(router);
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(self.config.retry_max);
        }
    }
}

fn duration_secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}
