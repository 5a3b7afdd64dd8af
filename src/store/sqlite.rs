//! The embedded SQLite backend: one file, no server, the default.
//!
//! The file runs in WAL mode with `synchronous = FULL`, so a committed
//! append survives a crash and a power loss; readers never block the
//! writer. Appends start with `BEGIN IMMEDIATE`: the write lock is taken
//! before the version check, so two racing writers are serialised (the
//! second waits up to the busy timeout) and the second sees the first's
//! events and gets a conflict.

use std::path::{Path, PathBuf};
use std::time::Duration;

use foodiefast_actors::store::StoreError;
use sqlx::Sqlite;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::shared::{Dialect, SqlStore, forward_store_traits};
use super::{Backend, MigrationReport, rows};

/// The SQLite schema's migrations, embedded in the binary.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a writer waits for another's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Connections kept open: readers run in parallel, writers take turns.
const MAX_CONNECTIONS: u32 = 8;

impl Dialect for Sqlite {
    const BACKEND: Backend = Backend::Sqlite;
    const MIGRATOR: &'static Migrator = &MIGRATOR;
    /// Takes the write lock before the version check (see the module doc).
    const BEGIN_APPEND: Option<&'static str> = Some("BEGIN IMMEDIATE");
    const INSERT_EVENT: &'static str =
        "INSERT INTO order_events (order_id, version, event) VALUES ($1, $2, $3)";
    const LOAD_STREAM: &'static str =
        "SELECT version, event FROM order_events WHERE order_id = $1 ORDER BY version";
    /// One statement, so one implicit transaction: atomic and durable.
    const NEXT_ORDER_ID: &'static str =
        "UPDATE order_id_counter SET last_id = last_id + 1 WHERE only_row = 1 RETURNING last_id";
    const KITCHEN_FEED_AFTER: &'static str = "SELECT f.seq, f.order_id, f.version, e.event \
        FROM kitchen_feed f JOIN order_events e ON e.order_id = f.order_id AND e.version = f.version \
        WHERE f.kitchen = $1 AND f.seq > $2 ORDER BY f.seq LIMIT $3";
}

/// Orders and couriers in an SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub(crate) sql: SqlStore<Sqlite>,
    path: PathBuf,
}

forward_store_traits!(SqliteStore);

impl SqliteStore {
    /// Opens (creating if missing) the file at `path`. Does not migrate.
    pub async fn connect(path: &Path) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options)
            .await
            .map_err(|e| rows::cannot_open(format!("SQLite file {}", path.display()), e))?;
        Ok(Self {
            sql: SqlStore::new(pool),
            path: path.to_owned(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Applies the migrations not yet applied (what opening a store does).
    pub async fn run_migrations(&self) -> Result<(), StoreError> {
        self.sql.run_migrations().await
    }

    /// Applies the migrations not yet applied and counts them.
    pub async fn migrate(&self) -> Result<MigrationReport, StoreError> {
        self.sql.migrate(self.path.display().to_string()).await
    }

    /// Closes every connection, checkpointing the WAL into the file.
    pub async fn close(&self) {
        self.sql.close().await;
    }
}

#[cfg(test)]
mod tests {
    use sqlx::query_scalar;

    use super::*;

    #[tokio::test]
    async fn connections_are_durable_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new").with_extension("db");
        let store = SqliteStore::connect(&path).await.unwrap();
        let mut conn = store.sql.pool.acquire().await.unwrap();
        let journal: String = query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let synchronous: i64 = query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let foreign_keys: i64 = query_scalar("PRAGMA foreign_keys")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let busy: i64 = query_scalar("PRAGMA busy_timeout")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!((journal.as_str(), synchronous, foreign_keys), ("wal", 2, 1));
        assert_eq!(busy, 5_000);
        drop(conn);
        store.close().await;
        assert!(path.exists());
    }
}
