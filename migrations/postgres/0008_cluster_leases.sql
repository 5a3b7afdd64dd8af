-- FoodieFast on PostgreSQL: what a cluster of engine processes agrees on.
-- Each node announces itself in `cluster_nodes` (renewed every second);
-- each dispatch zone (and each cluster-wide duty, such as the outbox relay)
-- is owned through a row of `zone_leases` that its owner renews before
-- `expires_at`. Time is the database's own clock, so nodes' clocks need not
-- agree. `epoch` grows by one at every change of owner and is never reset
-- (rows are not deleted), so it fences a former owner's late work.
-- Keep in step with migrations/sqlite.
CREATE TABLE cluster_nodes (
    node     TEXT        PRIMARY KEY,
    address  TEXT        NOT NULL, -- host:port of its cluster listener
    seen_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE zone_leases (
    zone       TEXT        PRIMARY KEY,
    owner      TEXT        NOT NULL,
    epoch      BIGINT      NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
