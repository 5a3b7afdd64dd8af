//! The PostgreSQL backend, for production and for more than one pod.
//!
//! Appends run at the default isolation (read committed): the version check
//! reads the stream, and the primary key on `(order_id, version)` settles a
//! race: of two writers extending the same version, the second's insert
//! waits for the first to commit, then fails with a unique violation, which
//! becomes [`StoreError::Conflict`]. Events are stored as `jsonb`, order ids
//! come from a sequence.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use foodiefast_actors::store::StoreError;
use sqlx::Postgres;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::config::PostgresUrl;
use super::rows::{self, backend};
use super::shared::{Dialect, SqlStore, forward_store_traits};
use super::{Backend, MigrationReport};

/// The PostgreSQL schema's migrations, embedded in the binary.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// Connections kept open per process.
const MAX_CONNECTIONS: u32 = 10;
/// How long to wait for a connection before failing (server down, pool exhausted).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

impl Dialect for Postgres {
    const BACKEND: Backend = Backend::Postgres;
    const MIGRATOR: &'static Migrator = &MIGRATOR;
    /// Read committed; the primary key settles races (see the module doc).
    const BEGIN_APPEND: Option<&'static str> = None;
    /// The JSON text is bound as text and cast to the column's `jsonb`.
    const INSERT_EVENT: &'static str =
        "INSERT INTO order_events (order_id, version, event) VALUES ($1, $2, $3::jsonb)";
    /// `jsonb` read back as text, for `serde_json`.
    const LOAD_STREAM: &'static str =
        "SELECT version, event::text FROM order_events WHERE order_id = $1 ORDER BY version";
    /// A sequence: atomic, and never hands out the same id twice.
    const NEXT_ORDER_ID: &'static str = "SELECT nextval('order_ids')";
    const KITCHEN_FEED_AFTER: &'static str = "SELECT f.seq, f.order_id, f.version, e.event::text \
        FROM kitchen_feed f JOIN order_events e ON e.order_id = f.order_id AND e.version = f.version \
        WHERE f.kitchen = $1 AND f.seq > $2 ORDER BY f.seq LIMIT $3";
}

/// Orders and couriers in a PostgreSQL database.
#[derive(Clone)]
pub struct PostgresStore {
    pub(crate) sql: SqlStore<Postgres>,
    url: PostgresUrl,
}

forward_store_traits!(PostgresStore);

impl fmt::Debug for PostgresStore {
    // The pool's own `Debug` would print its connect options, password included.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to the database at `url`. Does not migrate.
    pub async fn connect(url: &PostgresUrl) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url.expose_secret()).map_err(backend)?;
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|e| rows::cannot_open(format!("PostgreSQL at {url}"), e))?;
        Ok(Self {
            sql: SqlStore::new(pool),
            url: url.clone(),
        })
    }

    /// The database's URL, password hidden.
    pub fn url(&self) -> &PostgresUrl {
        &self.url
    }

    /// Applies the migrations not yet applied (what opening a store does).
    pub async fn run_migrations(&self) -> Result<(), StoreError> {
        self.sql.run_migrations().await
    }

    /// Applies the migrations not yet applied and counts them.
    pub async fn migrate(&self) -> Result<MigrationReport, StoreError> {
        self.sql.migrate(self.url.to_string()).await
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.sql.close().await;
    }
}
