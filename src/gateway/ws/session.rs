//! One WebSocket connection's life, the same for every feed: send the
//! backlog, then forward live updates while answering the client, with
//! heartbeats, a rate limit and a size limit.
//!
//! - A message over the size limit closes with 1009. The socket reads up
//!   to [`read_cap`] (sixteen times the limit) itself, so such a message is
//!   read whole and refused here: the close frame goes out on a connection
//!   with nothing left unread, and the peer receives it (dropping a socket
//!   with unread bytes resets the connection, and the reset can overtake
//!   the close frame). Past the cap, tungstenite refuses the frame from its
//!   header and its stream ends at once: the close is sent, then the socket
//!   is held briefly so the peer can read it before the reset.
//! - Any other bad frame (not JSON, unknown type, wrong version, binary)
//!   gets an `error` frame; the connection stays open and nothing changes.
//! - More messages than the rate limit allows get a `rate_limited` error
//!   frame and are dropped.
//! - The server pings every heartbeat period; a peer silent (no frame, no
//!   pong) for two periods is dead and its connection is dropped.
//! - The hub ending the subscription closes with 1013 (lagged: reconnect
//!   with `last_event_id`) or 1012 (server restarting: reconnect).

use std::num::NonZeroU32;
use std::pin::Pin;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use foodiefast_actors::tracking::{Closed, Subscription, Update};
use governor::{Quota, RateLimiter};
use tokio::time::{Instant, MissedTickBehavior};

use super::messages::{ClientMsg, ServerMsg, VERSION};
use crate::config::WsLimits;

/// Close code: normal closure (the order finished).
pub const CLOSE_NORMAL: u16 = 1000;
/// Close code: message too big.
pub const CLOSE_TOO_BIG: u16 = 1009;
/// Close code: the server is restarting; reconnect.
pub const CLOSE_RESTART: u16 = 1012;
/// Close code: try again later (fell behind; reconnect with `last_event_id`).
pub const CLOSE_TRY_AGAIN: u16 = 1013;

/// How long a connection closed for a too-big message waits for its peer to go.
const LINGER: std::time::Duration = std::time::Duration::from_secs(1);
/// How many times the message limit the socket itself reads before refusing.
const READ_CAP_FACTOR: usize = 16;

/// The largest message or frame the socket reads before refusing it
/// unread: sixteen times the protocol's limit, at least 64 KiB.
pub const fn read_cap(max_message_bytes: usize) -> usize {
    let cap = max_message_bytes.saturating_mul(READ_CAP_FACTOR);
    if cap < 64 * 1024 { 64 * 1024 } else { cap }
}

/// What a live update becomes for this connection.
pub enum Step {
    /// Nothing to send (e.g. a courier's position before assignment).
    Skip,
    /// Send this.
    Send(ServerMsg),
    /// Send this, then close normally: the feed is over.
    Finish(ServerMsg),
    /// Send what this read (of the store) yields, in order; `None` (the
    /// read failed) closes with 1013: reconnect with `last_event_id`.
    Fetch(Pin<Box<dyn Future<Output = Option<Vec<ServerMsg>>> + Send>>),
}

impl std::fmt::Debug for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Skip => f.write_str("Skip"),
            Self::Send(msg) => f.debug_tuple("Send").field(msg).finish(),
            Self::Finish(msg) => f.debug_tuple("Finish").field(msg).finish(),
            Self::Fetch(_) => f.write_str("Fetch(..)"),
        }
    }
}

/// A connection's feed: what to send first, then live updates.
pub struct Feed {
    /// Sent before anything live (a snapshot, or missed events).
    pub backlog: Vec<ServerMsg>,
    /// Whether the feed is already over after the backlog.
    pub finished: bool,
    /// Live updates.
    pub subscription: Subscription,
    /// Turns a live update into what this client may see.
    pub translate: Box<dyn FnMut(Update) -> Step + Send>,
}

/// What a feed does with the client's messages other than `ping`.
pub trait Commands: Send {
    /// The reply to `command`, if any (a position taken needs none).
    fn handle(&mut self, command: ClientMsg) -> impl Future<Output = Option<ServerMsg>> + Send;
}

/// A feed that only listens: any message but `ping` is a `bad_frame`.
#[derive(Debug, Clone, Copy)]
pub struct ListenOnly;

impl Commands for ListenOnly {
    async fn handle(&mut self, _command: ClientMsg) -> Option<ServerMsg> {
        Some(ServerMsg::error(
            "bad_frame",
            "this feed takes no commands, only ping",
        ))
    }
}

/// Drives `socket` until either side ends it.
pub async fn run(
    mut socket: WebSocket,
    limits: WsLimits,
    mut feed: Feed,
    mut commands: impl Commands,
) {
    for msg in std::mem::take(&mut feed.backlog) {
        if send(&mut socket, &msg).await.is_err() {
            return;
        }
    }
    if feed.finished {
        close(&mut socket, CLOSE_NORMAL, "order finished").await;
        return;
    }
    let per_second = NonZeroU32::new(limits.messages_per_second).unwrap_or(NonZeroU32::MIN);
    let burst = per_second.saturating_mul(NonZeroU32::MIN.saturating_add(1));
    let limiter = RateLimiter::direct(Quota::per_second(per_second).allow_burst(burst));
    let mut heartbeat =
        tokio::time::interval_at(Instant::now() + limits.heartbeat, limits.heartbeat);
    heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut last_heard = Instant::now();
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let message = match incoming {
                    None | Some(Ok(Message::Close(_))) => return,
                    Some(Err(err)) => {
                        if is_too_big(err) {
                            // The stream has ended: nothing more can be read.
                            close(&mut socket, CLOSE_TOO_BIG, "message too big").await;
                            tokio::time::sleep(LINGER).await;
                        }
                        return;
                    }
                    Some(Ok(message)) => message,
                };
                if message_len(&message) > limits.max_message_bytes {
                    close(&mut socket, CLOSE_TOO_BIG, "message too big").await;
                    linger(&mut socket).await;
                    return;
                }
                last_heard = Instant::now();
                let reply = match message {
                    Message::Ping(_) | Message::Pong(_) | Message::Close(_) => continue,
                    _ if limiter.check().is_err() => Some(ServerMsg::error(
                        "rate_limited",
                        "too many messages; this one was dropped",
                    )),
                    Message::Text(text) => match parse(text.as_str()) {
                        Ok(ClientMsg::Ping { .. }) => Some(ServerMsg::Pong),
                        Ok(command) => commands.handle(command).await,
                        Err((code, message)) => Some(ServerMsg::error(code, message)),
                    },
                    Message::Binary(_) => Some(ServerMsg::error(
                        "bad_frame",
                        "binary frames are not part of the protocol",
                    )),
                };
                if let Some(reply) = reply
                    && send(&mut socket, &reply).await.is_err()
                {
                    return;
                }
            }
            update = feed.subscription.recv() => {
                let step = match update {
                    Ok(update) => (feed.translate)(update),
                    Err(Closed::Lagged) => {
                        close(&mut socket, CLOSE_TRY_AGAIN, "fell behind: reconnect with last_event_id").await;
                        return;
                    }
                    Err(Closed::Shutdown) => {
                        close(&mut socket, CLOSE_RESTART, "server restarting: reconnect").await;
                        return;
                    }
                };
                if !deliver(&mut socket, step, &feed.subscription).await {
                    return;
                }
            }
            _ = heartbeat.tick() => {
                if last_heard.elapsed() > limits.heartbeat * 2 {
                    tracing::debug!("closing a silent WebSocket peer");
                    return;
                }
                if socket.send(Message::Ping(axum::body::Bytes::new())).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Sends what `step` says; false once the connection is over.
async fn deliver(socket: &mut WebSocket, step: Step, subscription: &Subscription) -> bool {
    match step {
        Step::Skip => true,
        Step::Send(msg) => send(socket, &msg).await.is_ok(),
        Step::Finish(msg) => {
            if send(socket, &msg).await.is_ok() {
                close(socket, CLOSE_NORMAL, "order finished").await;
            }
            false
        }
        Step::Fetch(read) => {
            let Some(msgs) = read.await else {
                // A read that failed because the server is stopping (the
                // store closes once the HTTP server is done, while upgraded
                // connections may still be draining) is a restart.
                if subscription.ended() == Some(Closed::Shutdown) {
                    close(socket, CLOSE_RESTART, "server restarting: reconnect").await;
                } else {
                    close(
                        socket,
                        CLOSE_TRY_AGAIN,
                        "try again: reconnect with last_event_id",
                    )
                    .await;
                }
                return false;
            };
            for msg in &msgs {
                if send(socket, msg).await.is_err() {
                    return false;
                }
            }
            true
        }
    }
}

/// A client's text frame as a message, or the code and explanation of
/// the error frame refusing it. A well-formed frame (nearly every one: a
/// position several times a second per courier) is read once, straight
/// into its message; only a refused one is read again, as a JSON value, to
/// tell a wrong version from a bad frame.
fn parse(text: &str) -> Result<ClientMsg, (&'static str, String)> {
    match serde_json::from_str::<ClientMsg>(text) {
        Ok(msg) if msg.version() == VERSION => Ok(msg),
        _ => refusal(text),
    }
}

/// Why `text` is not a message this server takes.
fn refusal(text: &str) -> Result<ClientMsg, (&'static str, String)> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|err| ("bad_frame", format!("not JSON: {err}")))?;
    if value.get("v").and_then(serde_json::Value::as_u64) != Some(u64::from(VERSION)) {
        return Err((
            "unsupported_version",
            format!("messages must carry \"v\": {VERSION}"),
        ));
    }
    serde_json::from_value::<ClientMsg>(value)
        .map_err(|err| ("bad_frame", format!("not a client message: {err}")))
}

async fn send(socket: &mut WebSocket, msg: &ServerMsg) -> Result<(), axum::Error> {
    socket.send(Message::Text(msg.to_text().into())).await
}

async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    // The peer may be gone already; the connection ends either way.
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        })))
        .await;
}

/// Waits (briefly) for the peer to answer a close with its own and end
/// the connection, so that the socket is dropped with nothing unread.
async fn linger(socket: &mut WebSocket) {
    let drained = async { while let Some(Ok(_)) = socket.recv().await {} };
    let _ = tokio::time::timeout(LINGER, drained).await;
}

/// The payload size of a data message (control frames are small by rule).
fn message_len(message: &Message) -> usize {
    match message {
        Message::Text(text) => text.len(),
        Message::Binary(bytes) => bytes.len(),
        Message::Ping(_) | Message::Pong(_) | Message::Close(_) => 0,
    }
}

/// Whether a read failed because a message or frame exceeded the limit.
fn is_too_big(err: axum::Error) -> bool {
    use tokio_tungstenite::tungstenite::Error as WsError;
    err.into_inner()
        .downcast_ref::<WsError>()
        .is_some_and(|e| matches!(e, WsError::Capacity(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_frames_get_error_frames() {
        assert_eq!(
            parse(r#"{"v":1,"type":"ping"}"#),
            Ok(ClientMsg::Ping { v: 1 })
        );
        // Read once or twice, a frame means the same: the last of a
        // repeated key counts, as it always did.
        assert_eq!(
            parse(r#"{"v":2,"type":"ping","v":1}"#),
            Ok(ClientMsg::Ping { v: 1 })
        );
        assert!(matches!(
            parse(r#"{"v":1,"type":"position","position":{"lat":52.5,"lng":13.4}}"#),
            Ok(ClientMsg::Position { v: 1, .. })
        ));
        for (text, code) in [
            ("not json", "bad_frame"),
            (r#"{"type":"ping"}"#, "unsupported_version"),
            (r#"{"v":2,"type":"ping"}"#, "unsupported_version"),
            (r#"{"v":1,"type":"dance"}"#, "bad_frame"),
            (r"[1,2]", "unsupported_version"),
            (
                r#"{"v":2,"type":"position","position":{"lat":52.5,"lng":13.4}}"#,
                "unsupported_version",
            ),
            (
                r#"{"v":1.0,"type":"position","position":{"lat":52.5,"lng":13.4}}"#,
                "unsupported_version",
            ),
            (r#"{"v":1,"type":"position"}"#, "bad_frame"),
            (
                r#"{"v":1,"type":"position","position":{"lat":52.5,"lng":13.4},"x":1}"#,
                "bad_frame",
            ),
        ] {
            match parse(text) {
                Err((got, _)) => assert_eq!(got, code, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }
}
