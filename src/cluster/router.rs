//! The caller's side of zone calls: run a command on the engine of the
//! zone it is for, wherever that engine runs. A zone running here is called
//! directly; otherwise the request goes to the door in the zone's process
//! group (its owner), with an id kept across retries. A timeout, a lost
//! session, an empty group (the zone between owners during a failover) or
//! a `NotOwner` answer (the zone moved) is retried until the deadline,
//! which is longer than a lease, so a failover is waited out rather than
//! reported to the client.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use ractor::ActorRef;
use ractor::rpc::CallResult;
use tokio::time::Instant;

use super::calls::{Answer, Call, Request, execute};
use super::door::DoorMsg;
use super::zone_host::{ZoneHost, zone_group};

/// How long one remote attempt may take.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
/// Pause between attempts while a zone has no reachable owner.
pub const RETRY_PAUSE: Duration = Duration::from_millis(100);

/// No owner of the zone answered before the deadline.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("zone {zone} has no reachable owner")]
pub struct NoOwner {
    /// The zone.
    pub zone: String,
}

/// Routes zone calls from this node.
#[derive(Debug)]
pub struct ZoneRouter {
    host: Arc<ZoneHost>,
    node: String,
    next_id: AtomicU64,
    deadline: Duration,
}

impl ZoneRouter {
    /// A router for node `node`, whose own zones run on `host`; a call
    /// gives up after `deadline`.
    pub fn new(host: Arc<ZoneHost>, node: impl Into<String>, deadline: Duration) -> Self {
        Self {
            host,
            node: node.into(),
            next_id: AtomicU64::new(0),
            deadline,
        }
    }

    /// A request id unique in the cluster: this node's name, its start
    /// (so a restarted node does not reuse ids) and a counter.
    fn request_id(&self) -> String {
        static STARTED: std::sync::OnceLock<u128> = std::sync::OnceLock::new();
        let started = STARTED.get_or_init(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        });
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        format!("{}-{started:x}-{n}", self.node)
    }

    /// Runs `call` on the engine of `zone`.
    pub async fn call(&self, zone: &str, call: Call) -> Result<Answer, NoOwner> {
        let give_up = Instant::now() + self.deadline;
        let request = Request {
            id: self.request_id(),
            zone: zone.to_owned(),
            call,
        };
        let bytes = serde_json::to_vec(&request).map_err(|_| NoOwner {
            zone: zone.to_owned(),
        })?;
        loop {
            if let Some(engine) = self.host.engine(zone) {
                return Ok(execute(&engine, request.call).await);
            }
            for door in ractor::pg::get_members(&zone_group(zone)) {
                if door.get_id().is_local() {
                    continue;
                }
                let door: ActorRef<DoorMsg> = door.into();
                let attempt = door
                    .call(
                        |reply| DoorMsg::Call(bytes.clone(), reply),
                        Some(ATTEMPT_TIMEOUT),
                    )
                    .await;
                if let Ok(CallResult::Success(answer)) = attempt {
                    match serde_json::from_slice::<Answer>(&answer) {
                        Ok(Answer::NotOwner) | Err(_) => {}
                        Ok(answer) => return Ok(answer),
                    }
                }
                metrics::counter!("foodiefast_cluster_call_retries_total").increment(1);
            }
            if Instant::now() >= give_up {
                return Err(NoOwner {
                    zone: zone.to_owned(),
                });
            }
            tokio::time::sleep(RETRY_PAUSE).await;
        }
    }
}
