//! The engine as a child process: `foodiefast serve` on a fresh store
//! (an SQLite file, or a database of its own on the PostgreSQL server of
//! `FOODIEFAST_TEST_POSTGRES`), started, killed and started again.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use sqlx::{AssertSqlSafe, Connection, PgConnection};

const SECRET: &str = "a-test-secret-of-at-least-thirty-two-bytes";
/// Where the test kitchen is (the test city's centre).
pub(crate) const KITCHEN: (f64, f64) = (52.52, 13.405);

/// A `foodiefast serve` child process (killed when dropped).
pub(crate) struct Process(Child);

/// Where a server listens.
#[derive(Clone, Copy)]
pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
}

/// The store both processes share.
pub(crate) enum TestStore {
    /// An SQLite file in a temporary directory.
    Sqlite(tempfile::TempDir),
    /// A fresh PostgreSQL database, dropped at the end.
    Postgres {
        /// The server's URL.
        server: String,
        /// The database's name.
        name: String,
    },
}

/// The PostgreSQL server to create the test's database on.
const POSTGRES_ENV: &str = "FOODIEFAST_TEST_POSTGRES";
const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

impl TestStore {
    pub(crate) fn sqlite() -> Self {
        Self::Sqlite(tempfile::tempdir().unwrap())
    }

    /// A database of its own on the test PostgreSQL server.
    pub(crate) async fn postgres() -> Self {
        let server = Self::postgres_server();
        let name = format!("ff_crash_{}_{}", std::process::id(), unix_nanos());
        execute(&server, &format!("CREATE DATABASE {name}")).await;
        Self::Postgres { server, name }
    }

    /// The PostgreSQL server of the tests.
    pub(crate) fn postgres_server() -> String {
        std::env::var(POSTGRES_ENV).unwrap_or_else(|_| DEFAULT_POSTGRES.to_owned())
    }

    /// The URL of the PostgreSQL database, if that is the store.
    pub(crate) fn postgres_url(&self) -> Option<String> {
        match self {
            Self::Sqlite(_) => None,
            Self::Postgres { server, name } => Some(url_of(server, name)),
        }
    }

    /// The variable that points `serve` at this store.
    fn env(&self) -> (&'static str, String) {
        match self {
            Self::Sqlite(dir) => (
                "FOODIEFAST_DB_PATH",
                dir.path().join("rush.db").display().to_string(),
            ),
            Self::Postgres { server, name } => ("DATABASE_URL", url_of(server, name)),
        }
    }

    /// Drops the PostgreSQL database (the SQLite directory goes by itself).
    pub(crate) async fn remove(self) {
        if let Self::Postgres { server, name } = self {
            execute(
                &server,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            )
            .await;
        }
    }
}

fn unix_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

async fn execute(server: &str, sql: &str) {
    let mut conn = PgConnection::connect(server)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {server} for the crash test: {e}"));
    sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    conn.close().await.unwrap();
}

/// `server` with its database replaced by `name`.
fn url_of(server: &str, name: &str) -> String {
    let (scheme, rest) = server.split_once("://").expect("a URL");
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let query = tail.find('?').map_or("", |i| &tail[i..]);
    format!("{scheme}://{authority}/{name}{query}")
}

impl Server {
    /// Starts `foodiefast serve` on `store` and waits until it listens.
    pub(crate) fn start(store: &TestStore) -> (Process, Self) {
        Self::start_with(store, &[])
    }

    /// [`Self::start`] with more variables (a cluster node's).
    pub(crate) fn start_with(store: &TestStore, extra: &[(String, String)]) -> (Process, Self) {
        let (variable, location) = store.env();
        let mut child = Command::new(env!("CARGO_BIN_EXE_foodiefast"))
            .arg("serve")
            .env_remove("DATABASE_URL")
            .env_remove("FOODIEFAST_DB_PATH")
            .env(variable, location)
            .env("PORT", "0")
            .env("BIND_ADDR", "127.0.0.1")
            .env("JWT_SECRET", SECRET)
            .env("CITY_CENTRE", "52.52,13.405")
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
            // Rounds every second, and ready food offered at once.
            .env("DISPATCH_PERIOD_SECONDS", "1")
            .env("DISPATCH_COMMIT_HORIZON_SECONDS", "3600")
            .envs(extra.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the binary starts");
        let stdout = child.stdout.take().expect("piped");
        let (tx, rx) = std::sync::mpsc::channel();
        // Keeps draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let Ok(entry) = serde_json::from_str::<Value>(&line) else {
                    continue;
                };
                // Warnings and errors reach the test's output (shown when it fails).
                if entry["level"] == "WARN" || entry["level"] == "ERROR" {
                    #[allow(clippy::print_stdout)]
                    {
                        println!("server: {line}");
                    }
                }
                if entry["message"] == "listening"
                    && let Some(addr) = entry["addr"].as_str().and_then(|a| a.parse().ok())
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(addr);
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_mins(1))
            .expect("the server says where it listens");
        (Process(child), Self { addr })
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Process {
    /// SIGKILL: no shutdown, no flush, nothing but what is already durable.
    pub(crate) fn kill(&mut self) {
        // Idempotent: a process already reaped stays dead.
        if matches!(self.0.try_wait(), Ok(Some(_))) {
            return;
        }
        self.0.kill().expect("killed");
        self.0.wait().expect("reaped");
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
