//! Runs the real `foodiefast admin create` binary against a SQLite store:
//! the account is created with the admin role and a password that
//! verifies; a taken email or a short password fails and creates nothing.

// Test code, where panicking is the point.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use foodiefast::store::{Role, Store, StoreConfig};

fn admin_create(db: &Path, email: &str, stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_foodiefast"))
        .args(["admin", "create", "--email", email, "--name", "Ops"])
        .env_remove("DATABASE_URL")
        .env("FOODIEFAST_DB_PATH", db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn an_operator_creates_an_admin_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("admin.db");

    let made = admin_create(&db, "Ops@Example.com", "a long operator password\n");
    let stdout = String::from_utf8_lossy(&made.stdout);
    assert!(
        made.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&made.stderr)
    );
    assert!(stdout.contains("created for ops@example.com"), "{stdout}");

    let again = admin_create(&db, "ops@example.com", "another long password\n");
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("an account with this email exists"),
        "{stderr}"
    );

    let short = admin_create(&db, "other@example.com", "short\n");
    assert!(!short.status.success());
    let stderr = String::from_utf8_lossy(&short.stderr);
    assert!(stderr.contains("must be 8 to"), "{stderr}");

    let bad_email = admin_create(&db, "not-an-email", "a long operator password\n");
    assert!(!bad_email.status.success());

    let store = Store::open(&StoreConfig::Sqlite { path: db.clone() })
        .await
        .unwrap();
    let admin = store
        .account_by_email("ops@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(admin.role, Role::Admin);
    assert_eq!(admin.name, "Ops");
    assert!(
        foodiefast::gateway::auth::password::verify(
            "a long operator password".into(),
            admin.password_hash.clone()
        )
        .await
        .unwrap()
    );
    assert!(
        store
            .account_by_email("other@example.com")
            .await
            .unwrap()
            .is_none()
    );
    store.close().await;
}
