//! One module per subcommand; [`run`] dispatches the parsed command line.

pub mod admin;
pub mod evaluate;
pub mod loadgen;
pub mod migrate;
pub mod naive;
pub mod plan;
pub mod replay;
pub mod serve;
pub mod synthesize;

use std::io::Write;

use crate::Error;
use crate::cli::{AdminCommand, Cli, Command};

/// Runs the command of `cli`, writing its output to `out`.
pub async fn run(cli: &Cli, out: &mut impl Write) -> Result<(), Error> {
    match &cli.command {
        Command::Plan(args) => plan::run(args, out),
        Command::Migrate => migrate::run(out).await,
        Command::Evaluate(args) => evaluate::run(args, out),
        Command::Naive(args) => naive::run(args, out),
        Command::Serve(args) => serve::run(args).await,
        Command::Replay(args) => replay::run(args, out),
        Command::Admin(AdminCommand::Create(args)) => {
            admin::run(args, &mut std::io::stdin().lock(), out).await
        }
        Command::Synthesize(args) => synthesize::run(args, out),
        Command::Loadgen(args) => loadgen::run(args, out).await,
        Command::LoadgenWorker => Ok(crate::loadgen::worker::run().await?),
    }
}
