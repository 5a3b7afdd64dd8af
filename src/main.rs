//! The `foodiefast` binary: parses the command line, runs the command from
//! the library, and reports any error once, with its cause chain, on stderr.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use foodiefast::cli::Cli;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Not `stdout().lock()`: the lock would be held by this thread for the
    // whole run, and `serve` logs to stdout from the runtime's worker
    // threads, which would then block forever on their first log line.
    let mut out = std::io::stdout();
    match foodiefast::commands::run(&cli, &mut out).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let mut stderr = std::io::stderr().lock();
            let mut chain = err.chain();
            if let Some(top) = chain.next() {
                let _ = writeln!(stderr, "error: {top}");
            }
            for cause in chain {
                let _ = writeln!(stderr, "  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}
