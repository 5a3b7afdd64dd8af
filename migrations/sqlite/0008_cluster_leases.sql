-- FoodieFast on SQLite: the cluster tables, kept so that both backends
-- share one schema history. An embedded store serves one process, which
-- never joins a cluster: these tables stay empty. Keep in step with
-- migrations/postgres.
CREATE TABLE cluster_nodes (
    node     TEXT    PRIMARY KEY,
    address  TEXT    NOT NULL,
    seen_at  INTEGER NOT NULL
);

CREATE TABLE zone_leases (
    zone       TEXT    PRIMARY KEY,
    owner      TEXT    NOT NULL,
    epoch      INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
