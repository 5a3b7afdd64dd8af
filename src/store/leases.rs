//! Cluster membership and zone leases in PostgreSQL (migration 0008): the
//! only things the nodes of a cluster must agree on, kept where they already
//! agree, so that no consensus of our own is needed.
//!
//! A node announces itself every beat (`cluster_nodes.seen_at`); a node not
//! seen for a lease's length is gone. A zone (or a cluster-wide duty) is
//! owned through its row in `zone_leases`, taken when free or expired,
//! renewed by its owner before it expires, and released on a clean hand-over.
//! Each courier's shift runs in one zone, recorded in `courier_zones`
//! (migration 0009) for the gateways of every node to find.
//! Expiry is judged on the database's clock alone. Every change of owner
//! increments the row's `epoch`, never reset, so an owner's work can carry
//! the epoch it was done under and a late former owner is recognisable.

use std::time::Duration;

use foodiefast_actors::store::StoreError;
use sqlx::{PgPool, Row};

use super::rows::backend;

/// A node seen recently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveNode {
    /// Its name, unique in the cluster.
    pub node: String,
    /// Where its cluster listener is (`host:port`).
    pub address: String,
}

/// A lease as the table holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseRow {
    /// The zone or duty.
    pub zone: String,
    /// Its last owner.
    pub owner: String,
    /// Changes of owner so far.
    pub epoch: i64,
    /// Whether it has not expired yet.
    pub live: bool,
}

/// The lease and membership tables of a PostgreSQL store. Cloning is cheap.
#[derive(Debug, Clone)]
pub struct LeaseTable {
    pool: PgPool,
}

/// A duration as the fractional seconds PostgreSQL's `make_interval` takes.
fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

impl LeaseTable {
    pub(crate) const fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Records that `node`, listening at `address`, is alive now.
    pub async fn announce(&self, node: &str, address: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO cluster_nodes (node, address, seen_at) VALUES ($1, $2, now()) \
             ON CONFLICT (node) DO UPDATE SET address = EXCLUDED.address, seen_at = now()",
        )
        .bind(node)
        .bind(address)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    /// `node` leaves cleanly: it is no longer a member, and every lease it
    /// holds is free at once (its zones need not wait for expiry).
    pub async fn depart(&self, node: &str) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        sqlx::query("DELETE FROM cluster_nodes WHERE node = $1")
            .bind(node)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        sqlx::query(
            "UPDATE zone_leases SET expires_at = now() - interval '1 millisecond' \
             WHERE owner = $1 AND expires_at > now()",
        )
        .bind(node)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    /// Nodes seen within `within`, by name.
    pub async fn live_nodes(&self, within: Duration) -> Result<Vec<LiveNode>, StoreError> {
        let rows = sqlx::query(
            "SELECT node, address FROM cluster_nodes \
             WHERE seen_at > now() - make_interval(secs => $1) ORDER BY node",
        )
        .bind(secs(within))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|row| {
                Ok(LiveNode {
                    node: row.try_get(0).map_err(backend)?,
                    address: row.try_get(1).map_err(backend)?,
                })
            })
            .collect()
    }

    /// Takes `zone` for `node` for `ttl` if it is free, expired or already
    /// `node`'s; the epoch it is held under, or `None` if another node holds it.
    pub async fn acquire(
        &self,
        zone: &str,
        node: &str,
        ttl: Duration,
    ) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query(
            "INSERT INTO zone_leases (zone, owner, epoch, expires_at) \
             VALUES ($1, $2, 1, now() + make_interval(secs => $3)) \
             ON CONFLICT (zone) DO UPDATE SET \
                 owner = EXCLUDED.owner, \
                 epoch = zone_leases.epoch + \
                     CASE WHEN zone_leases.owner = EXCLUDED.owner \
                          AND zone_leases.expires_at > now() THEN 0 ELSE 1 END, \
                 expires_at = EXCLUDED.expires_at \
             WHERE zone_leases.owner = EXCLUDED.owner OR zone_leases.expires_at <= now() \
             RETURNING epoch",
        )
        .bind(zone)
        .bind(node)
        .bind(secs(ttl))
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        row.map(|row| row.try_get(0).map_err(backend)).transpose()
    }

    /// Extends `node`'s lease on `zone`, held under `epoch`, by `ttl` from
    /// now; false when it was lost (expired and taken, or released).
    pub async fn renew(
        &self,
        zone: &str,
        node: &str,
        epoch: i64,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE zone_leases SET expires_at = now() + make_interval(secs => $4) \
             WHERE zone = $1 AND owner = $2 AND epoch = $3 AND expires_at > now()",
        )
        .bind(zone)
        .bind(node)
        .bind(epoch)
        .bind(secs(ttl))
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives `zone` up (held by `node` under `epoch`): free for another node at once.
    pub async fn release(&self, zone: &str, node: &str, epoch: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE zone_leases SET expires_at = now() - interval '1 millisecond' \
             WHERE zone = $1 AND owner = $2 AND epoch = $3",
        )
        .bind(zone)
        .bind(node)
        .bind(epoch)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    /// Every lease, by zone.
    pub async fn leases(&self) -> Result<Vec<LeaseRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT zone, owner, epoch, expires_at > now() FROM zone_leases ORDER BY zone",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|row| {
                Ok(LeaseRow {
                    zone: row.try_get(0).map_err(backend)?,
                    owner: row.try_get(1).map_err(backend)?,
                    epoch: row.try_get(2).map_err(backend)?,
                    live: row.try_get(3).map_err(backend)?,
                })
            })
            .collect()
    }

    /// Records that `courier`'s shift runs in `zone` (migration 0009).
    pub async fn set_courier_zone(&self, courier: u64, zone: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO courier_zones (courier, zone) VALUES ($1, $2) \
             ON CONFLICT (courier) DO UPDATE SET zone = EXCLUDED.zone",
        )
        .bind(courier_key(courier)?)
        .bind(zone)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    /// The zone `courier`'s shift runs in, if it ever went online in a cluster.
    pub async fn courier_zone(&self, courier: u64) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT zone FROM courier_zones WHERE courier = $1")
            .bind(courier_key(courier)?)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)
    }
}

/// A courier id as PostgreSQL's `BIGINT`.
fn courier_key(courier: u64) -> Result<i64, StoreError> {
    i64::try_from(courier)
        .map_err(|_| StoreError::Backend(format!("courier id {courier} out of range").into()))
}
