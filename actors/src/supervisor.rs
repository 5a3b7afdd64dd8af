//! A supervisor for keyed actors of one kind (couriers by courier, kitchens
//! by restaurant, dispatchers by zone). It starts children on request or on
//! demand (the first message for a key starts its actor), records them in a
//! [`Directory`] that senders read without asking the supervisor, and
//! restarts a failed child under the OTP restart intensity of
//! [`crate::supervision`]: a child failing too often is given up on (its
//! messages are dropped until it is started again on purpose), and too many
//! failures overall make the supervisor fail itself.
//!
//! What a child is and how it rebuilds its state after a failure is the
//! [`ChildKind`]'s business: the supervisor only keeps it running.

use std::collections::{HashMap, HashSet};
use std::fmt::{Debug, Display};
use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;

use ractor::{
    Actor, ActorCell, ActorId, ActorProcessingErr, ActorRef, Message, RpcReplyPort,
    SupervisionEvent,
};

use crate::directory::Directory;
use crate::supervision::{RestartLog, RestartPolicy, Verdict};

/// One kind of supervised, keyed actor.
pub trait ChildKind: Send + Sync + 'static {
    /// What identifies a child.
    type Key: Copy + Eq + Hash + Debug + Display + Send + Sync + 'static;
    /// The child's messages.
    type Msg: Message;
    /// The `kind` label of `foodiefast_actor_restarts_total`.
    const KIND: &'static str;

    /// Spawns `key`'s actor linked to `supervisor`. `after_failure` says it
    /// replaces one that failed: it must rebuild what the failure lost.
    fn spawn(
        &self,
        key: Self::Key,
        supervisor: ActorCell,
        after_failure: bool,
    ) -> impl Future<Output = Result<ActorRef<Self::Msg>, ActorProcessingErr>> + Send;

    /// Called once a child rebuilt after a failure is reachable through the
    /// directory: the moment to have others tell it what it lost.
    fn restarted(&self, key: Self::Key, actor: &ActorRef<Self::Msg>) {
        let _ = (key, actor);
    }
}

/// What a keyed supervisor is asked.
pub enum SupervisorMsg<C: ChildKind> {
    /// Start `key`'s actor unless it runs (clearing a give-up); answers it.
    Start(C::Key, RpcReplyPort<Result<ActorRef<C::Msg>, String>>),
    /// Deliver a message to `key`'s actor, starting it if needed (dropped
    /// for a child given up on).
    Deliver(C::Key, C::Msg),
    /// Stop `key`'s actor for good; answers whether one ran.
    Stop(C::Key, RpcReplyPort<bool>),
}

// Local only: never sent to another node of a cluster.
impl<C: ChildKind> ractor::Message for SupervisorMsg<C> {}

impl<C: ChildKind> Debug for SupervisorMsg<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Start(key, _) => write!(f, "Start({key})"),
            Self::Deliver(key, _) => write!(f, "Deliver({key})"),
            Self::Stop(key, _) => write!(f, "Stop({key})"),
        }
    }
}

/// Start-up arguments.
pub struct SupervisorArgs<C: ChildKind> {
    /// How children start and rebuild.
    pub kind: Arc<C>,
    /// Where running children are recorded.
    pub directory: Arc<Directory<C::Key, C::Msg>>,
    /// Restart limits.
    pub policy: RestartPolicy,
}

/// The supervisor of one kind of keyed actor.
#[derive(Debug)]
pub struct KeyedSupervisor<C>(std::marker::PhantomData<fn() -> C>);

impl<C> KeyedSupervisor<C> {
    /// The actor handler.
    pub const fn new() -> Self {
        Self(std::marker::PhantomData)
    }
}

impl<C> Default for KeyedSupervisor<C> {
    fn default() -> Self {
        Self::new()
    }
}

/// The supervisor's state.
pub struct SupervisorState<C: ChildKind> {
    kind: Arc<C>,
    directory: Arc<Directory<C::Key, C::Msg>>,
    key_of: HashMap<ActorId, C::Key>,
    restarts: RestartLog<C::Key>,
    given_up: HashSet<C::Key>,
}

impl<C: ChildKind> Actor for KeyedSupervisor<C> {
    type Msg = SupervisorMsg<C>;
    type State = SupervisorState<C>;
    type Arguments = SupervisorArgs<C>;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        args: Self::Arguments,
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(SupervisorState {
            kind: args.kind,
            directory: args.directory,
            key_of: HashMap::new(),
            restarts: RestartLog::new(args.policy),
            given_up: HashSet::new(),
        })
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            SupervisorMsg::Start(key, reply) => {
                state.given_up.remove(&key);
                let started = state
                    .running_or_spawn(&myself, key)
                    .await
                    .map_err(|e| e.to_string());
                let _ = reply.send(started);
            }
            SupervisorMsg::Deliver(key, msg) => {
                if state.given_up.contains(&key) {
                    return Ok(());
                }
                // A child that cannot start drops the message, as a dead one would.
                if let Ok(child) = state.running_or_spawn(&myself, key).await {
                    let _ = child.cast(msg);
                }
            }
            SupervisorMsg::Stop(key, reply) => {
                let child = state.directory.remove(&key);
                if let Some(child) = &child {
                    state.key_of.remove(&child.get_id());
                    state.restarts.forget(&key);
                    child.stop(Some("stopped on request".into()));
                }
                let _ = reply.send(child.is_some());
            }
        }
        Ok(())
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<Self::Msg>,
        event: SupervisionEvent,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match event {
            SupervisionEvent::ActorTerminated(cell, _, _) => {
                if let Some(key) = state.forget(cell.get_id()) {
                    state.restarts.forget(&key);
                }
            }
            SupervisionEvent::ActorFailed(cell, _reason) => {
                let Some(key) = state.forget(cell.get_id()) else {
                    return Ok(());
                };
                metrics::counter!("foodiefast_actor_restarts_total", "kind" => C::KIND)
                    .increment(1);
                state.restart(&myself, key).await?;
            }
            _ => {}
        }
        Ok(())
    }
}

impl<C: ChildKind> SupervisorState<C> {
    /// Forgets the stopped actor `actor`; returns its key if it was current.
    fn forget(&mut self, actor: ActorId) -> Option<C::Key> {
        let key = self.key_of.remove(&actor)?;
        if self
            .directory
            .get(&key)
            .is_some_and(|a| a.get_id() == actor)
        {
            self.directory.remove(&key);
        }
        Some(key)
    }

    async fn spawn(
        &mut self,
        myself: &ActorRef<SupervisorMsg<C>>,
        key: C::Key,
        after_failure: bool,
    ) -> Result<ActorRef<C::Msg>, ActorProcessingErr> {
        let child = self
            .kind
            .spawn(key, myself.get_cell(), after_failure)
            .await?;
        self.key_of.insert(child.get_id(), key);
        self.directory.insert(key, child.clone());
        Ok(child)
    }

    async fn running_or_spawn(
        &mut self,
        myself: &ActorRef<SupervisorMsg<C>>,
        key: C::Key,
    ) -> Result<ActorRef<C::Msg>, ActorProcessingErr> {
        match self.directory.get(&key) {
            Some(child) => Ok(child),
            None => self.spawn(myself, key, false).await,
        }
    }

    /// Restarts `key` as long as the restart policy allows.
    async fn restart(
        &mut self,
        myself: &ActorRef<SupervisorMsg<C>>,
        key: C::Key,
    ) -> Result<(), ActorProcessingErr> {
        loop {
            match self.restarts.on_failure(&key) {
                Verdict::Restart => {}
                Verdict::GiveUp => {
                    metrics::counter!("foodiefast_actors_given_up_total", "kind" => C::KIND)
                        .increment(1);
                    self.given_up.insert(key);
                    return Ok(());
                }
                Verdict::Escalate => {
                    return Err(
                        format!("too many {} actor failures; last was {key}", C::KIND).into(),
                    );
                }
            }
            // A rebuild that fails counts as another failure of the same child.
            if let Ok(child) = self.spawn(myself, key, true).await {
                self.kind.restarted(key, &child);
                return Ok(());
            }
        }
    }
}
