//! `foodiefast synthesize`: a synthetic MDRP day written as an instance
//! directory (see [`crate::replay::synthetic`]), to time `replay` on days
//! larger than the Grubhub ones.

use std::io::Write;

use crate::Error;
use crate::cli::SynthesizeArgs;
use crate::replay::synthetic::SyntheticDay;

/// Runs `foodiefast synthesize`.
pub fn run(args: &SynthesizeArgs, out: &mut impl Write) -> Result<(), Error> {
    let day = SyntheticDay {
        orders: args.orders as usize,
        couriers: args.couriers as usize,
        seed: args.seed,
    };
    day.write(&args.out)?;
    writeln!(
        out,
        "wrote a day of {} orders and {} couriers to {}",
        day.orders,
        day.couriers,
        args.out.display()
    )?;
    Ok(())
}
