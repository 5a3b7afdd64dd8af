//! A fresh database per test case, on either backend.
//!
//! - SQLite: a new file in a temporary directory, removed afterwards;
//! - PostgreSQL: `CREATE DATABASE ff_test_<random>` on the server named by
//!   `FOODIEFAST_TEST_POSTGRES` (default
//!   `postgres://postgres@127.0.0.1:5432/postgres`), dropped afterwards even
//!   when the case fails. An unreachable server fails the test, loudly: CI
//!   must not pass by skipping PostgreSQL.

use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::path::PathBuf;
use std::time::Duration;

use foodiefast::store::{PostgresUrl, Store, StoreConfig};
use sqlx::{AssertSqlSafe, Connection, PgConnection, SqliteConnection};

/// The variable naming the PostgreSQL server the tests create databases on.
const POSTGRES_ENV: &str = "FOODIEFAST_TEST_POSTGRES";
const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Which backend a case runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

/// One case's database: where it is, and a way around the store to damage it.
#[derive(Debug, Clone)]
pub(crate) struct TestDb {
    backend: Backend,
    config: StoreConfig,
    /// SQLite: the file; PostgreSQL: the database URL.
    location: String,
}

impl TestDb {
    /// The backend under test.
    pub(crate) fn backend(&self) -> Backend {
        self.backend
    }

    /// Opens the store as the service does (migrating it).
    pub(crate) async fn open(&self) -> Store {
        Store::open(&self.config)
            .await
            .expect("open the test store")
    }

    /// The environment that points `foodiefast` at this database.
    pub(crate) fn env(&self) -> (&'static str, String) {
        match self.backend {
            Backend::Sqlite => ("FOODIEFAST_DB_PATH", self.location.clone()),
            Backend::Postgres => ("DATABASE_URL", self.location.clone()),
        }
    }

    /// Runs raw SQL on a connection of its own, bypassing the store.
    pub(crate) async fn execute(&self, sql: &str) {
        let sql = AssertSqlSafe(sql.to_owned());
        match self.backend {
            Backend::Sqlite => {
                let url = format!("sqlite://{}", self.location);
                let mut conn = SqliteConnection::connect(&url).await.unwrap();
                sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
                conn.close().await.unwrap();
            }
            Backend::Postgres => {
                let mut conn = PgConnection::connect(&self.location).await.unwrap();
                sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
                conn.close().await.unwrap();
            }
        }
    }
}

/// Runs `case` on a fresh database of `backend`, then removes the database,
/// then reports the case's outcome (re-raising its panic).
pub(crate) async fn run<F, Fut>(backend: Backend, case: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let outcome = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("foodiefast.db");
            let db = TestDb {
                backend,
                config: StoreConfig::Sqlite { path: path.clone() },
                location: path_text(path),
            };
            tokio::spawn(case(db)).await
        }
        Backend::Postgres => {
            let server = Server::connect().await;
            let name = database_name();
            server.execute(&format!("CREATE DATABASE {name}")).await;
            let url = server.url_of(&name);
            let db = TestDb {
                backend,
                config: StoreConfig::from_values(Some(&url), None).unwrap(),
                location: url,
            };
            let outcome = tokio::spawn(case(db)).await;
            server
                .execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
            outcome
        }
    };
    if let Err(err) = outcome {
        if err.is_panic() {
            std::panic::resume_unwind(err.into_panic());
        }
        panic!("the test case did not finish: {err}");
    }
}

/// The PostgreSQL server the tests create their databases on.
struct Server {
    url: String,
}

impl Server {
    /// Checks the server answers, or fails the test saying how to fix it.
    async fn connect() -> Self {
        let url = std::env::var(POSTGRES_ENV).unwrap_or_else(|_| DEFAULT_POSTGRES.to_owned());
        let shown = url.parse::<PostgresUrl>().map_or_else(
            |_| format!("{POSTGRES_ENV} (not a PostgreSQL URL)"),
            |u| u.to_string(),
        );
        let connected = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect(&url)).await;
        match connected {
            Ok(Ok(conn)) => {
                conn.close().await.unwrap();
                Self { url }
            }
            Ok(Err(err)) => panic!(
                "PostgreSQL for the store tests is unreachable at {shown}: {err}. \
                 Start it (e.g. `pg_ctlcluster --skip-systemctl-redirect 15 main start`) \
                 or set {POSTGRES_ENV} to a server where this user may CREATE DATABASE."
            ),
            Err(elapsed) => panic!(
                "PostgreSQL for the store tests did not answer at {shown}: {elapsed} \
                 ({CONNECT_TIMEOUT:?})"
            ),
        }
    }

    async fn execute(&self, sql: &str) {
        let mut conn = PgConnection::connect(&self.url).await.unwrap();
        sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        conn.close().await.unwrap();
    }

    /// The server's URL with its database replaced by `name`.
    fn url_of(&self, name: &str) -> String {
        let (scheme, rest) = self.url.split_once("://").expect("a URL with an authority");
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        let query = tail.find('?').map_or("", |i| &tail[i..]);
        format!("{scheme}://{authority}/{name}{query}")
    }
}

/// A database name no other test run uses: `ff_test_` and 16 random hex digits.
fn database_name() -> String {
    let random = RandomState::new().hash_one((std::process::id(), std::time::SystemTime::now()));
    format!("ff_test_{random:016x}")
}

fn path_text(path: PathBuf) -> String {
    path.into_os_string()
        .into_string()
        .expect("a UTF-8 temporary path")
}
