//! One module per subcommand; [`run`] dispatches the parsed command line.

pub mod migrate;
pub mod plan;
pub mod replay;

use std::io::Write;

use crate::Error;
use crate::cli::{Cli, Command};

/// Runs the command of `cli`, writing its output to `out`.
pub async fn run(cli: &Cli, out: &mut impl Write) -> Result<(), Error> {
    match &cli.command {
        Command::Plan(args) => plan::run(args, out),
        Command::Migrate => migrate::run(out).await,
        Command::Replay(args) => replay::run(args, out),
    }
}
