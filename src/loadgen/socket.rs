//! What the run's WebSocket clients share: how they connect, the run's
//! phase they follow, and the tally and send times they write to.

use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::error::LoadgenError;
use super::probe::SendTimes;
use super::tally::Tally;

/// A client WebSocket.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Bytes a client reads from its socket at a time: the run's frames are
/// small, and 20,000 clients at tungstenite's default (128 KiB) would
/// cost the machine gigabytes the server then cannot use.
const CLIENT_READ_BUFFER_BYTES: usize = 4 * 1024;

/// Where the run is; every client follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Setting up: couriers answer offers, nothing streams.
    Provisioning,
    /// Couriers send positions.
    Streaming,
    /// Close and end.
    Stopping,
}

/// What every client task shares.
#[derive(Debug)]
pub struct Shared {
    /// Counts and latencies.
    pub tally: Tally,
    /// When each courier's probe points were last sent.
    pub times: SendTimes,
}

/// Opens `url` as the holder of `token`, Nagle off (as an app would want
/// for small frames).
pub async fn connect(url: &str, token: &str) -> Result<Socket, LoadgenError> {
    let failed = |e: &dyn std::fmt::Display| LoadgenError::Connect(format!("{url}: {e}"));
    let mut request = url.into_client_request().map_err(|e| failed(&e))?;
    let bearer = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|e| failed(&e))?;
    request.headers_mut().insert("Authorization", bearer);
    let config = WebSocketConfig::default().read_buffer_size(CLIENT_READ_BUFFER_BYTES);
    let (socket, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), true)
        .await
        .map_err(|e| failed(&e))?;
    Ok(socket)
}
