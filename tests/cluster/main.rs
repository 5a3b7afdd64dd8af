//! The cluster's agreements in PostgreSQL: membership and zone leases
//! (`foodiefast::store::leases`) and the lease keepers of several nodes
//! sharing one database (`foodiefast::cluster::keeper`).

// Helpers outside `#[test]` functions: test code, where panicking is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// Shared with the store suite: only its PostgreSQL half is used here.
#[allow(dead_code, unreachable_pub)]
#[path = "../store/harness.rs"]
mod harness;

mod calls;
mod fixtures;
mod keepers;
mod leases;
mod mesh;
mod zone_host;
