//! `foodiefast loadgen`: runs a load test ([`crate::loadgen`]) and prints
//! its report (progress goes to standard error).

use std::io::Write;

use crate::Error;
use crate::cli::LoadgenArgs;
use crate::loadgen::options::LoadOptions;

/// Runs `foodiefast loadgen`.
pub async fn run(args: &LoadgenArgs, out: &mut impl Write) -> Result<(), Error> {
    let options = LoadOptions::new(
        args.couriers,
        args.trackers,
        args.rate_hz,
        args.duration,
        args.warmup,
        &args.url,
        args.workers,
    )
    .map_err(|reason| Error::InvalidArgument {
        name: "loadgen",
        reason,
    })?;
    let report = crate::loadgen::run(&options, &mut std::io::stderr()).await?;
    write!(out, "{report}")?;
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report).map_err(std::io::Error::other)?;
        std::fs::write(path, json + "\n")?;
    }
    Ok(())
}
