//! `foodiefast serve`: runs the whole engine behind its HTTP and WebSocket
//! gateway, configured from the environment ([`crate::config`]), until
//! SIGTERM or ctrl-c; with `--demo`, with a simulated city ([`crate::demo`]).

use crate::Error;
use crate::cli::ServeArgs;
use crate::config::ServeConfig;
use crate::demo::{self, DemoOptions};
use crate::gateway::{App, shutdown_signal, telemetry};

/// Runs `foodiefast serve`.
pub async fn run(args: &ServeArgs) -> Result<(), Error> {
    let config = ServeConfig::from_env()?;
    telemetry::init(config.log_format);
    if config.jwt.generated {
        tracing::warn!(
            "JWT_SECRET is not set: tokens are signed with a key made up for this process; \
             they stop working when it restarts"
        );
    }
    let app = App::build(&config).await?;
    let addr = app.local_addr()?;
    tracing::info!(%addr, store = %config.store, "listening");
    if args.demo {
        tracing::warn!("demo mode: demo accounts share a published password");
        let store = app.state().store.clone();
        let centre = config.city_centre;
        let options = DemoOptions {
            seed: args.demo_seed,
            couriers: usize::from(args.demo_couriers),
            customers: usize::from(args.demo_customers),
        };
        // The gateway is bound: the demo's requests wait for it to serve.
        tokio::spawn(async move {
            if let Err(err) = demo::start(addr, &store, centre, options).await {
                tracing::error!(error = %err, "the demo city could not be seeded");
            }
        });
    }
    app.run_until_stopped(shutdown_signal()).await?;
    Ok(())
}
