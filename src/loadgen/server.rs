//! The server a run starts itself: `foodiefast serve` (this very binary)
//! as a child process on a fresh SQLite store in a temporary directory,
//! listening on a free loopback port, and its resident memory read from
//! `/proc/PID/status`.
//!
//! The child logs JSON to a pipe: the run reads its address from the
//! `listening` line, then keeps draining the pipe (a full pipe would stall
//! the server) and counts the error lines. It inherits the run's raised
//! file-descriptor limit. Dropping the handle kills it.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};

use super::error::LoadgenError;

/// How long the child may take to listen.
const START_TIMEOUT: Duration = Duration::from_mins(1);

/// What the started server is told, beyond its store and secret.
#[derive(Debug, Clone)]
pub struct ChildSettings {
    /// `CITY_CENTRE`, `lat,lng`.
    pub city_centre: String,
    /// `WS_MESSAGES_PER_SECOND`.
    pub messages_per_second: u32,
}

/// A running child server.
#[derive(Debug)]
pub struct ChildServer {
    child: Child,
    pid: u32,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The SQLite file it uses.
    pub db_path: PathBuf,
    error_lines: Arc<AtomicU64>,
    _dir: tempfile::TempDir,
}

/// Where the throwaway store goes when the machine has it: shared memory,
/// where the store's flush on every commit costs nothing. A run measures
/// the gateway's streaming, which never touches the store; setting up
/// 10,000 orders on a disk that flushes each of their commits took minutes.
const MEMORY_DIR: &str = "/dev/shm";

/// A fresh temporary directory (in [`MEMORY_DIR`] if there is one) and the
/// store path inside it.
pub fn fresh_store() -> Result<(tempfile::TempDir, PathBuf), LoadgenError> {
    let memory = Path::new(MEMORY_DIR);
    let parent = if memory.is_dir() {
        memory.to_owned()
    } else {
        std::env::temp_dir()
    };
    let dir = tempfile::Builder::new()
        .prefix("foodiefast-loadgen-")
        .tempdir_in(parent)
        .map_err(|e| LoadgenError::Server(format!("cannot make a temporary directory: {e}")))?;
    let db = dir.path().join("loadgen.db");
    Ok((dir, db))
}

impl ChildServer {
    /// Starts `foodiefast serve` on `db_path` (in `dir`, removed when the
    /// server is dropped) and waits until it listens.
    pub async fn start(
        dir: tempfile::TempDir,
        db_path: &Path,
        jwt_secret: &str,
        settings: &ChildSettings,
    ) -> Result<Self, LoadgenError> {
        let exe = std::env::current_exe()
            .map_err(|e| LoadgenError::Server(format!("cannot find this program: {e}")))?;
        let mut child = Command::new(exe)
            .arg("serve")
            .env_remove("DATABASE_URL")
            .env("FOODIEFAST_DB_PATH", db_path)
            .env("JWT_SECRET", jwt_secret)
            .env("BIND_ADDR", "127.0.0.1")
            .env("PORT", "0")
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
            .env("CITY_CENTRE", &settings.city_centre)
            .env(
                "WS_MESSAGES_PER_SECOND",
                settings.messages_per_second.to_string(),
            )
            // Offer every order at once, in rounds a second apart.
            .env("DISPATCH_PERIOD_SECONDS", "1")
            .env("DISPATCH_COMMIT_HORIZON_SECONDS", "86400")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| LoadgenError::Server(format!("cannot start the server: {e}")))?;
        let pid = child
            .id()
            .ok_or_else(|| LoadgenError::Server("the server exited at once".into()))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| LoadgenError::Server("no pipe to the server's log".into()))?;
        let mut lines = BufReader::new(stdout).lines();
        let addr = tokio::time::timeout(START_TIMEOUT, listening_addr(&mut lines))
            .await
            .map_err(|_| LoadgenError::Server("the server did not listen within 60 s".into()))??;
        let error_lines = Arc::new(AtomicU64::new(0));
        tokio::spawn(drain(lines, Arc::clone(&error_lines)));
        Ok(Self {
            child,
            pid,
            url: format!("http://{addr}"),
            db_path: db_path.to_owned(),
            error_lines,
            _dir: dir,
        })
    }

    /// The server's resident memory, bytes.
    pub fn rss_bytes(&self) -> Result<u64, LoadgenError> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .map_err(|e| LoadgenError::Server(format!("cannot read the server's memory: {e}")))?;
        vm_rss_bytes(&status)
            .ok_or_else(|| LoadgenError::Server("no VmRSS in /proc/PID/status".into()))
    }

    /// Error lines the server has logged so far.
    pub fn error_lines(&self) -> u64 {
        self.error_lines.load(Ordering::Relaxed)
    }

    /// Stops the server (the store is thrown away, so no grace is needed).
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// The `addr` of the server's `listening` log line.
async fn listening_addr(
    lines: &mut tokio::io::Lines<BufReader<ChildStdout>>,
) -> Result<String, LoadgenError> {
    while let Some(line) = lines
        .next_line()
        .await
        .map_err(|e| LoadgenError::Server(format!("cannot read the server's log: {e}")))?
    {
        let Ok(entry) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if entry.get("message").and_then(serde_json::Value::as_str) == Some("listening")
            && let Some(addr) = entry.get("addr").and_then(serde_json::Value::as_str)
        {
            return Ok(addr.to_owned());
        }
    }
    Err(LoadgenError::Server(
        "the server exited before listening (its errors are above)".into(),
    ))
}

/// Reads the log to its end, counting error lines.
async fn drain(mut lines: tokio::io::Lines<BufReader<ChildStdout>>, errors: Arc<AtomicU64>) {
    while let Ok(Some(line)) = lines.next_line().await {
        if line.contains("\"level\":\"ERROR\"") {
            errors.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// `VmRSS` of a `/proc/PID/status` text, bytes.
pub fn vm_rss_bytes(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let mut fields = line.split_whitespace().skip(1);
    let value: u64 = fields.next()?.parse().ok()?;
    match fields.next() {
        Some("kB") => Some(value * 1024),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_memory_is_read_in_bytes() {
        let status = "Name:\tfoodiefast\nVmPeak:\t  9000 kB\nVmRSS:\t   1234 kB\nThreads:\t4\n";
        assert_eq!(vm_rss_bytes(status), Some(1234 * 1024));
        assert_eq!(vm_rss_bytes("Name:\tx\n"), None);
        assert_eq!(vm_rss_bytes("VmRSS:\t12 MB\n"), None);
        let own = std::fs::read_to_string("/proc/self/status").unwrap();
        assert!(vm_rss_bytes(&own).unwrap() > 0);
    }
}
