//! `foodiefast serve`: runs the whole engine behind its HTTP and WebSocket
//! gateway, configured from the environment ([`crate::config`]), until
//! SIGTERM or ctrl-c.

use crate::Error;
use crate::config::ServeConfig;
use crate::gateway::{App, shutdown_signal, telemetry};

/// Runs `foodiefast serve`.
pub async fn run() -> Result<(), Error> {
    let config = ServeConfig::from_env()?;
    telemetry::init(config.log_format);
    if config.jwt.generated {
        tracing::warn!(
            "JWT_SECRET is not set: tokens are signed with a key made up for this process; \
             they stop working when it restarts"
        );
    }
    let app = App::build(&config).await?;
    tracing::info!(addr = %app.local_addr()?, store = %config.store, "listening");
    app.run_until_stopped(shutdown_signal()).await?;
    Ok(())
}
