//! What every WebSocket upgrade checks before it is accepted, and how the
//! accepted connection is configured.
//!
//! - Origin: a browser's `Origin` must be on the allow-list (403
//!   `origin_not_allowed` otherwise); clients that send none (apps,
//!   servers) pass.
//! - Token: `Authorization: Bearer <token>`, or `?token=<token>` for
//!   browsers, which cannot set headers on a WebSocket.
//! - Buffers: small read and write buffers (tungstenite's defaults cost
//!   about 128 KiB per idle connection) and a read cap well above the
//!   message size limit, which the session enforces.

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, ORIGIN};
use serde::Deserialize;

use super::session::read_cap;
use crate::config::WsLimits;
use crate::gateway::auth::Principal;
use crate::gateway::error::ApiError;
use crate::gateway::state::AppState;

/// Bytes read from the socket at a time: frames here are small.
const READ_BUFFER_BYTES: usize = 4 * 1024;
/// Bytes buffered before a write is flushed.
const WRITE_BUFFER_BYTES: usize = 4 * 1024;
/// Bytes a slow reader may leave queued before writes fail.
const MAX_WRITE_BUFFER_BYTES: usize = 256 * 1024;

/// Query parameters of the WebSocket routes.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WsParams {
    /// The bearer token, for clients that cannot set `Authorization`.
    pub token: Option<String>,
    /// Resume after this event id: every missed status change is replayed.
    pub last_event_id: Option<u64>,
}

/// Refuses an upgrade from an origin not on the allow-list.
pub fn check_origin(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    match headers.get(ORIGIN) {
        None => Ok(()),
        Some(origin) if state.allowed_origins.contains(origin) => Ok(()),
        Some(_) => Err(ApiError::OriginNotAllowed),
    }
}

/// Who the upgrade speaks for, from its header or its `token` parameter.
pub fn principal(
    state: &AppState,
    headers: &HeaderMap,
    params: &WsParams,
) -> Result<Principal, ApiError> {
    let from_header = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let token = from_header
        .or(params.token.as_deref())
        .ok_or(ApiError::Unauthenticated("no token"))?;
    state
        .tokens
        .verify(token)
        .map_err(|_| ApiError::Unauthenticated("invalid or expired token"))
}

/// The upgrade, if the request is one, configured with the limits.
pub fn configure(
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
    limits: &WsLimits,
) -> Result<WebSocketUpgrade, ApiError> {
    let upgrade = upgrade.map_err(|_| ApiError::UpgradeRequired)?;
    Ok(upgrade
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .max_write_buffer_size(MAX_WRITE_BUFFER_BYTES)
        // The session refuses messages over the limit itself, once read
        // whole (see `session`); the socket refuses only far larger ones.
        .max_message_size(read_cap(limits.max_message_bytes))
        .max_frame_size(read_cap(limits.max_message_bytes)))
}
