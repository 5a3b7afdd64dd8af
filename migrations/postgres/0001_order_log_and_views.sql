-- FoodieFast on PostgreSQL: the order event log, the read models and the
-- order id sequence. Keep in step with migrations/sqlite (same tables, same
-- meaning; only the types differ).

-- The event log, append-only: one row per event, versions 1, 2, ... per
-- order. The primary key makes a second append at the same version fail,
-- whichever writer races.
CREATE TABLE order_events (
    order_id    BIGINT      NOT NULL CHECK (order_id >= 0),
    version     BIGINT      NOT NULL CHECK (version >= 1),
    event       JSONB       NOT NULL, -- the OrderEvent
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (order_id, version)
);

CREATE FUNCTION order_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'order_events is append-only';
END;
$$;

CREATE TRIGGER order_events_append_only
    BEFORE UPDATE OR DELETE ON order_events
    FOR EACH ROW EXECUTE FUNCTION order_events_append_only();

-- The read model of each order, written in the transaction of every append.
-- Times are the engine's seconds (foodiefast_geo::Seconds).
CREATE TABLE order_views (
    id          BIGINT PRIMARY KEY CHECK (id >= 0),
    customer    BIGINT NOT NULL,
    kitchen     BIGINT NOT NULL,
    status      TEXT   NOT NULL,
    courier     BIGINT,
    total_cents BIGINT NOT NULL,
    placed_at   BIGINT NOT NULL,
    ready_at    BIGINT,
    pickup_eta  BIGINT,
    updated_at  BIGINT NOT NULL,
    version     BIGINT NOT NULL CHECK (version >= 1)
);

-- What recovery rehydrates: orders not delivered, rejected or cancelled.
CREATE INDEX order_views_active ON order_views (id)
    WHERE status NOT IN ('delivered', 'rejected', 'cancelled');

-- A customer's orders, newest first.
CREATE INDEX order_views_by_customer ON order_views (customer, placed_at DESC, id DESC);

-- The read model of each courier (positions are kept here, not logged).
CREATE TABLE courier_views (
    id         BIGINT PRIMARY KEY CHECK (id >= 0),
    status     TEXT   NOT NULL,
    x          DOUBLE PRECISION,
    y          DOUBLE PRECISION,
    shift_end  BIGINT,
    updated_at BIGINT NOT NULL,
    CHECK ((x IS NULL) = (y IS NULL))
);

-- Order ids: a sequence never hands out the same value twice.
CREATE SEQUENCE order_ids AS BIGINT START WITH 1 MINVALUE 1;
