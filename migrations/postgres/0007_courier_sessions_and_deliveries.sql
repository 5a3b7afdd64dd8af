-- FoodieFast on PostgreSQL: what courier pay is computed from, and the outbox's
-- second consumer. Keep in
-- step with migrations/sqlite.

-- Couriers' shifts as they happened: a session opens when a courier's view
-- leaves `offline` and closes when it returns to it, in the statement that
-- writes the view. At most one session per courier is open; while open, it
-- counts up to now or its planned end (`shift_end`), whichever is first.
-- Times are the engine's seconds (Unix seconds in service).
CREATE TABLE courier_sessions (
    courier    BIGINT NOT NULL CHECK (courier >= 0),
    started_at BIGINT NOT NULL,
    ended_at   BIGINT,
    shift_end  BIGINT,
    CHECK (ended_at IS NULL OR ended_at >= started_at)
);

CREATE UNIQUE INDEX courier_sessions_open ON courier_sessions (courier)
    WHERE ended_at IS NULL;
CREATE INDEX courier_sessions_by_courier ON courier_sessions (courier, started_at);

-- Every delivery, written in the transaction of the append that records
-- its `delivered` event (the order's view forgets its courier then).
CREATE TABLE courier_deliveries (
    order_id     BIGINT PRIMARY KEY CHECK (order_id >= 0),
    courier      BIGINT NOT NULL CHECK (courier >= 0),
    delivered_at BIGINT NOT NULL
);

CREATE INDEX courier_deliveries_by_courier ON courier_deliveries (courier, delivered_at);

-- Deliveries recorded before this migration.
INSERT INTO courier_deliveries (order_id, courier, delivered_at)
SELECT order_id, (event->>'courier')::BIGINT, (event->>'at')::BIGINT
FROM order_events WHERE event->>'type' = 'delivered';

-- A kitchen's orders by when they last changed: its chef's statements.
CREATE INDEX order_views_by_kitchen ON order_views (kitchen, updated_at);

-- With an event sink (a webhook) beside the tracking hub, an outbox row
-- stays until the sink acknowledged it; `relayed` says the hub has it
-- already, so that the hub never waits for the sink nor gets a row twice.
ALTER TABLE order_outbox ADD COLUMN relayed BIGINT NOT NULL DEFAULT 0;
CREATE INDEX order_outbox_unrelayed ON order_outbox (seq) WHERE relayed = 0;
