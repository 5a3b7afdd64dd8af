-- FoodieFast on PostgreSQL: the outbox. Every append writes one row per
-- order event here, in the transaction that records the event; the outbox
-- relay publishes the rows in `seq` order after the commit and deletes them.
-- A row left by a crash is published by the next start. Keep in step with
-- migrations/sqlite.
CREATE TABLE order_outbox (
    seq      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id BIGINT   NOT NULL,
    version  BIGINT   NOT NULL,
    kitchen  BIGINT   NOT NULL,
    event    TEXT     NOT NULL, -- the OrderEvent as JSON
    UNIQUE (order_id, version)
);
