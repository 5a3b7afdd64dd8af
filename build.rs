//! Rebuilds the binary when a migration changes: `sqlx::migrate!` embeds the
//! files of `migrations/` at compile time, and Cargo would not notice a new one.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
