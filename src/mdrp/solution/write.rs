//! Writing a [`Solution`] as the three files of the MDRP solution format:
//! space-separated, a header line first, ids as in the instance (`r12`,
//! `o34`, `c5`, `0` for a courier's start), times in minutes.

use std::io::{self, Write};
use std::path::Path;

use super::{
    ASSIGNMENTS_FILE, COURIERS_SOLUTION_FILE, ORDERS_SOLUTION_FILE, Solution, minutes_text,
};

/// The header of the assignments file; an assignment's later orders follow the first.
pub(super) const ASSIGNMENTS_HEADER: [&str; 4] =
    ["assignment_time", "pickup_time", "courier", "order"];
/// The header of the per-order file.
pub(super) const ORDERS_HEADER: [&str; 6] = [
    "order",
    "placement_time",
    "ready_time",
    "pickup_time",
    "dropoff_time",
    "courier",
];
/// The header of the courier moves file.
pub(super) const COURIERS_HEADER: [&str; 4] =
    ["courier", "departure_time", "origin", "destination"];
/// What the per-order file shows for the pickup, drop-off and courier of an
/// order never delivered (a missing value to tabular readers).
pub(super) const NOT_DELIVERED: &str = "NA";

impl Solution {
    /// Writes the three solution files into `dir`, which must exist.
    pub fn write(&self, dir: &Path) -> io::Result<()> {
        write_file(&dir.join(ASSIGNMENTS_FILE), |out| {
            self.write_assignments(out)
        })?;
        write_file(&dir.join(ORDERS_SOLUTION_FILE), |out| {
            self.write_orders(out)
        })?;
        write_file(&dir.join(COURIERS_SOLUTION_FILE), |out| {
            self.write_moves(out)
        })
    }

    /// Writes `solution_info_assignments.txt`.
    pub fn write_assignments(&self, out: &mut impl Write) -> io::Result<()> {
        writeln!(out, "{}", ASSIGNMENTS_HEADER.join(" "))?;
        for a in &self.assignments {
            write!(
                out,
                "{} {} {}",
                minutes_text(a.assigned_at),
                minutes_text(a.pickup_at),
                a.courier
            )?;
            for order in &a.orders {
                write!(out, " {order}")?;
            }
            writeln!(out)?;
        }
        Ok(())
    }

    /// Writes `solution_info_orders.txt`.
    pub fn write_orders(&self, out: &mut impl Write) -> io::Result<()> {
        writeln!(out, "{}", ORDERS_HEADER.join(" "))?;
        for record in &self.orders {
            write!(
                out,
                "{} {} {} ",
                record.order,
                minutes_text(record.placed_at),
                minutes_text(record.ready_at)
            )?;
            match record.delivery {
                Some(d) => writeln!(
                    out,
                    "{} {} {}",
                    minutes_text(d.pickup_at),
                    minutes_text(d.drop_off_at),
                    d.courier
                )?,
                None => writeln!(out, "{NOT_DELIVERED} {NOT_DELIVERED} {NOT_DELIVERED}")?,
            }
        }
        Ok(())
    }

    /// Writes `solution_info_couriers.txt`, grouped by courier.
    pub fn write_moves(&self, out: &mut impl Write) -> io::Result<()> {
        writeln!(out, "{}", COURIERS_HEADER.join(" "))?;
        for (courier, moves) in &self.routes {
            for m in moves {
                writeln!(
                    out,
                    "{courier} {} {} {}",
                    minutes_text(m.departure),
                    m.origin,
                    m.destination
                )?;
            }
        }
        Ok(())
    }
}

/// Creates `path` and writes it through a buffer, flushing before returning.
fn write_file(
    path: &Path,
    content: impl FnOnce(&mut io::BufWriter<std::fs::File>) -> io::Result<()>,
) -> io::Result<()> {
    let mut out = io::BufWriter::new(std::fs::File::create(path)?);
    content(&mut out)?;
    out.flush()
}
