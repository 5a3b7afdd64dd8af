//! `foodiefast migrate`: opens the configured store (see
//! [`crate::store::config`]) and applies the migrations it lacks, then says
//! which database it migrated and how many migrations it applied.

use std::io::Write;

use crate::Error;
use crate::store::{MigrationReport, Store, StoreConfig};

/// Runs `foodiefast migrate` against the database the environment names.
pub async fn run(out: &mut impl Write) -> Result<(), Error> {
    let config = StoreConfig::from_env()?;
    let report = migrate(&config).await?;
    write_report(out, &report)?;
    out.flush()?;
    Ok(())
}

/// Applies the pending migrations of the store at `config`.
pub async fn migrate(config: &StoreConfig) -> Result<MigrationReport, Error> {
    let store = Store::connect(config).await?;
    let report = store.migrate().await;
    store.close().await;
    Ok(report?)
}

/// Writes `report` as two lines: the database, then the migrations.
pub fn write_report(out: &mut impl Write, report: &MigrationReport) -> std::io::Result<()> {
    let plural = if report.applied_now == 1 { "" } else { "s" };
    writeln!(out, "backend: {} ({})", report.backend, report.location)?;
    writeln!(
        out,
        "migrations: applied {} migration{plural} now; {} of {} in place",
        report.applied_now, report.applied_total, report.known
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Backend;

    #[test]
    fn the_report_names_the_backend_and_counts() {
        let mut out = Vec::new();
        let report = MigrationReport {
            backend: Backend::Sqlite,
            location: "foodiefast.db".into(),
            applied_now: 1,
            applied_total: 1,
            known: 1,
        };
        write_report(&mut out, &report).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "backend: SQLite (foodiefast.db)\nmigrations: applied 1 migration now; 1 of 1 in place\n"
        );
    }
}
