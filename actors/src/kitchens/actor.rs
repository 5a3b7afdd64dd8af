//! The kitchen actor. It owns a [`KitchenState`], takes in the orders sent
//! to its chef, times the chef's answers out on tokio's clock (an order left
//! unanswered is rejected with [`RejectReason::NoAnswer`] at its deadline),
//! and carries the chef's answers to the orders through the [`OrderRouter`].
//!
//! Order commands go durable first and the kitchen's state changes after:
//! each answer is checked against a copy of the state, sent to the order,
//! and applied only once the order took it. A refused answer changes
//! nothing. The queue itself is not persisted: a kitchen rebuilt after a
//! failure starts open or closed, busy or not, as the chef last set it (its
//! supervisor remembers), and its orders tell it again where they stand.

use std::sync::Arc;
use std::time::Duration;

use foodiefast_geo::{OrderId, RestaurantId, Seconds};
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};

use crate::clock::Clock;
use crate::domain::kitchen::{Intake, KitchenError, KitchenState};
use crate::domain::order::{OrderCommand, RejectReason};
use crate::error::EngineError;
use crate::orders::OrderRouter;
use crate::store::OrderView;

/// Pause before retrying an automatic rejection the order could not record
/// (store failure, order actor unavailable).
const RETRY_PAUSE: Duration = Duration::from_secs(5);

/// Why a kitchen actor refused a request.
#[derive(Debug, thiserror::Error)]
pub enum KitchenActorError {
    /// The kitchen refused: nothing was sent to the order.
    #[error(transparent)]
    Kitchen(#[from] KitchenError),
    /// The order refused or could not record the command; the kitchen is unchanged.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The order is accepted, and cooking in the kitchen's queue, but the
    /// start of its preparation was not recorded (it can still be marked ready).
    #[error("order {order} was accepted but its preparation was not recorded")]
    PreparationNotRecorded {
        /// The order.
        order: OrderId,
        /// Why.
        #[source]
        source: EngineError,
    },
}

/// What the chef's tablet shows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KitchenQueue {
    /// Whether the kitchen takes orders at all.
    pub open: bool,
    /// Whether busy mode holds now.
    pub busy: bool,
    /// Orders waiting for the chef's answer, with their deadlines.
    pub awaiting: Vec<(OrderId, Seconds)>,
    /// Orders cooking, with their ready estimates.
    pub cooking: Vec<(OrderId, Seconds)>,
}

/// What a kitchen actor is asked.
#[derive(Debug)]
pub enum KitchenMsg {
    /// Open the kitchen to new orders.
    Open(RpcReplyPort<()>),
    /// Close it to new orders (orders in hand are still served).
    Close(RpcReplyPort<()>),
    /// Busy mode until `until` (`None` ends it).
    SetBusy {
        /// When busy mode ends.
        until: Option<Seconds>,
        /// The answer.
        reply: RpcReplyPort<()>,
    },
    /// An order was sent to this chef (fire and forget).
    Incoming(OrderId),
    /// The chef accepts, expecting the food ready at `ready_at`; the order
    /// is accepted and its preparation started.
    Accept {
        /// The order.
        order: OrderId,
        /// Ready estimate.
        ready_at: Seconds,
        /// The order as it stands afterwards.
        reply: RpcReplyPort<Result<OrderView, KitchenActorError>>,
    },
    /// The chef declines.
    Reject {
        /// The order.
        order: OrderId,
        /// The chef's note.
        note: Option<String>,
        /// The order as it stands afterwards.
        reply: RpcReplyPort<Result<OrderView, KitchenActorError>>,
    },
    /// The food is ready.
    MarkReady {
        /// The order.
        order: OrderId,
        /// The order as it stands afterwards.
        reply: RpcReplyPort<Result<OrderView, KitchenActorError>>,
    },
    /// An order sent here earlier still waits for the chef (re-announced by
    /// the order after this kitchen was rebuilt): not refused if busy or closed.
    Awaiting(OrderId),
    /// An order accepted earlier is cooking here (re-announced by the order
    /// after this kitchen was rebuilt).
    Cooking {
        /// The order.
        order: OrderId,
        /// Its ready estimate.
        ready_at: Seconds,
    },
    /// Fail on purpose (fault injection for supervision tests and drills).
    Crash,
    /// An order's answer deadline passed (the actor's own timer).
    AnswerDeadline(OrderId),
    /// An order was cancelled: forget it.
    OrderCancelled(OrderId),
    /// A snapshot of the kitchen's queue.
    Queue(RpcReplyPort<KitchenQueue>),
}

// Local only: never sent to another node of a cluster.
impl ractor::Message for KitchenMsg {}

/// Start-up arguments.
#[derive(Clone)]
pub struct KitchenArgs {
    /// The chef's kitchen.
    pub id: RestaurantId,
    /// Where order commands go.
    pub router: Arc<OrderRouter>,
    /// Engine time.
    pub clock: Clock,
    /// How long the chef has to answer an incoming order.
    pub answer_within: Seconds,
    /// Whether it starts open to new orders.
    pub open: bool,
    /// Busy mode at start, until then.
    pub busy_until: Option<Seconds>,
}

impl std::fmt::Debug for KitchenArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KitchenArgs")
            .field("id", &self.id)
            .field("answer_within", &self.answer_within)
            .finish_non_exhaustive()
    }
}

/// The kitchen actor.
#[derive(Debug, Clone, Copy)]
pub struct KitchenActor;

/// A running kitchen actor's state.
#[derive(Debug)]
pub struct KitchenActorState {
    args: KitchenArgs,
    kitchen: KitchenState,
}

impl Actor for KitchenActor {
    type Msg = KitchenMsg;
    type State = KitchenActorState;
    type Arguments = KitchenArgs;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        args: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        let mut kitchen = KitchenState::default();
        if args.open {
            kitchen.open();
        }
        kitchen.set_busy(args.busy_until);
        Ok(KitchenActorState { args, kitchen })
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            KitchenMsg::Open(reply) => {
                state.kitchen.open();
                let _ = reply.send(());
            }
            KitchenMsg::Close(reply) => {
                state.kitchen.close();
                let _ = reply.send(());
            }
            KitchenMsg::SetBusy { until, reply } => {
                state.kitchen.set_busy(until);
                let _ = reply.send(());
            }
            KitchenMsg::Incoming(order) => state.incoming(&myself, order).await,
            KitchenMsg::AnswerDeadline(order) => state.deadline(&myself, order).await,
            KitchenMsg::OrderCancelled(order) => state.kitchen.forget(order),
            KitchenMsg::Awaiting(order) => {
                let now = state.now();
                if let Some(deadline) =
                    state
                        .kitchen
                        .resume_awaiting(order, now, state.args.answer_within)
                {
                    arm_deadline(&myself, order, deadline - now);
                }
            }
            KitchenMsg::Cooking { order, ready_at } => {
                state.kitchen.resume_cooking(order, ready_at);
            }
            KitchenMsg::Crash => return Err("asked to fail".into()),
            KitchenMsg::Queue(reply) => {
                let _ = reply.send(state.queue());
            }
            KitchenMsg::Accept {
                order,
                ready_at,
                reply,
            } => {
                let _ = reply.send(state.accept(order, ready_at).await);
            }
            KitchenMsg::Reject { order, note, reply } => {
                let _ = reply.send(state.reject(order, note).await);
            }
            KitchenMsg::MarkReady { order, reply } => {
                let _ = reply.send(state.mark_ready(order).await);
            }
        }
        Ok(())
    }
}

/// Rejects `order` for want of an answer `wait` from now, unless answered.
fn arm_deadline(myself: &ActorRef<KitchenMsg>, order: OrderId, wait: Seconds) {
    let wait = wait.0.max(0).unsigned_abs();
    myself.send_after(Duration::from_secs(wait), move || {
        KitchenMsg::AnswerDeadline(order)
    });
}

/// Whether a failed order command is worth retrying: the order could not
/// record it (as opposed to having moved on, or not existing).
const fn is_transient(err: &EngineError) -> bool {
    matches!(err, EngineError::Store(_) | EngineError::Unavailable(_))
}

impl KitchenActorState {
    fn now(&self) -> Seconds {
        self.args.clock.now()
    }

    fn queue(&self) -> KitchenQueue {
        KitchenQueue {
            open: self.kitchen.is_open(),
            busy: self.kitchen.is_busy(self.now()),
            awaiting: self.kitchen.awaiting().collect(),
            cooking: self.kitchen.cooking().collect(),
        }
    }

    async fn command(
        &self,
        order: OrderId,
        command: OrderCommand,
    ) -> Result<OrderView, EngineError> {
        self.args.router.command(order, command).await
    }

    /// An order arrives: either it waits for the chef, with a timer for its
    /// deadline, or the kitchen (closed, busy) rejects it at once.
    async fn incoming(&mut self, myself: &ActorRef<KitchenMsg>, order: OrderId) {
        let now = self.now();
        match self.kitchen.receive(order, now, self.args.answer_within) {
            Ok(Intake::AwaitingAnswer { deadline }) => arm_deadline(myself, order, deadline - now),
            Ok(Intake::Refused(reason)) => {
                let refused = self.command(order, OrderCommand::Reject { reason }).await;
                if refused.as_ref().is_err_and(is_transient) {
                    myself.send_after(RETRY_PAUSE, move || KitchenMsg::Incoming(order));
                }
            }
            // Told twice about the same order (the only refusal): it is already in hand.
            Err(_) => {}
        }
    }

    /// An answer deadline passed: an order still waiting is rejected for
    /// want of an answer. An order the chef answered is left alone.
    async fn deadline(&mut self, myself: &ActorRef<KitchenMsg>, order: OrderId) {
        let mut after = self.kitchen.clone();
        if !after.answer_timed_out(order, self.now()) {
            return;
        }
        let reason = RejectReason::NoAnswer;
        match self.command(order, OrderCommand::Reject { reason }).await {
            Err(err) if is_transient(&err) => {
                // Still waiting as far as anyone knows; try again shortly.
                myself.send_after(RETRY_PAUSE, move || KitchenMsg::AnswerDeadline(order));
            }
            outcome => {
                if outcome.is_ok() {
                    metrics::counter!("foodiefast_kitchen_auto_rejects_total").increment(1);
                }
                // Rejected now, or moved on without the kitchen (cancelled):
                // either way it no longer waits for the chef.
                self.kitchen = after;
            }
        }
    }

    async fn accept(
        &mut self,
        order: OrderId,
        ready_at: Seconds,
    ) -> Result<OrderView, KitchenActorError> {
        let mut after = self.kitchen.clone();
        after.accept(order, self.now(), ready_at)?;
        self.command(order, OrderCommand::Accept { ready_at })
            .await?;
        // The acceptance is durable: the kitchen follows, whatever comes next.
        self.kitchen = after;
        self.command(order, OrderCommand::StartPreparing)
            .await
            .map_err(|source| KitchenActorError::PreparationNotRecorded { order, source })
    }

    async fn reject(
        &mut self,
        order: OrderId,
        note: Option<String>,
    ) -> Result<OrderView, KitchenActorError> {
        let mut after = self.kitchen.clone();
        after.reject(order)?;
        let reason = RejectReason::Declined { note };
        let view = self.command(order, OrderCommand::Reject { reason }).await?;
        self.kitchen = after;
        Ok(view)
    }

    async fn mark_ready(&mut self, order: OrderId) -> Result<OrderView, KitchenActorError> {
        let mut after = self.kitchen.clone();
        after.mark_ready(order)?;
        let view = self.command(order, OrderCommand::MarkReady).await?;
        self.kitchen = after;
        Ok(view)
    }
}
