-- FoodieFast on SQLite: the outbox. Every append writes one row per
-- order event here, in the transaction that records the event; the outbox
-- relay publishes the rows in `seq` order after the commit and deletes them.
-- A row left by a crash is published by the next start. Keep in step with
-- migrations/postgres.
CREATE TABLE order_outbox (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id INTEGER  NOT NULL,
    version  INTEGER  NOT NULL,
    kitchen  INTEGER  NOT NULL,
    event    TEXT     NOT NULL, -- the OrderEvent as JSON
    UNIQUE (order_id, version)
) STRICT;
