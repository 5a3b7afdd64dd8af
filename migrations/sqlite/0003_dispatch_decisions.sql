-- FoodieFast on SQLite: the latest dispatch decision about each order (its
-- candidates, their costs, the courier chosen and why), as JSON, so that an
-- operator can ask after the dispatcher forgot or restarted. Keep in step
-- with migrations/postgres.
CREATE TABLE dispatch_decisions (
    order_id   INTEGER PRIMARY KEY CHECK (order_id >= 1),
    offer      INTEGER NOT NULL,
    decided_at INTEGER NOT NULL,
    decision   TEXT    NOT NULL
) STRICT;
