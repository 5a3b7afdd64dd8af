-- FoodieFast on SQLite: the order event log, the read models and the order
-- id counter. Keep in step with migrations/postgres (same tables, same
-- meaning; only the types differ).

-- The event log, append-only: one row per event, versions 1, 2, ... per
-- order. The primary key makes a second append at the same version fail,
-- whichever writer races.
CREATE TABLE order_events (
    order_id    INTEGER NOT NULL CHECK (order_id >= 0),
    version     INTEGER NOT NULL CHECK (version >= 1),
    event       TEXT    NOT NULL, -- the OrderEvent as JSON
    recorded_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (order_id, version)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER order_events_no_update BEFORE UPDATE ON order_events
BEGIN
    SELECT RAISE(ABORT, 'order_events is append-only');
END;

CREATE TRIGGER order_events_no_delete BEFORE DELETE ON order_events
BEGIN
    SELECT RAISE(ABORT, 'order_events is append-only');
END;

-- The read model of each order, written in the transaction of every append.
-- Times are the engine's seconds (foodiefast_geo::Seconds).
CREATE TABLE order_views (
    id          INTEGER PRIMARY KEY CHECK (id >= 0),
    customer    INTEGER NOT NULL,
    kitchen     INTEGER NOT NULL,
    status      TEXT    NOT NULL,
    courier     INTEGER,
    total_cents INTEGER NOT NULL,
    placed_at   INTEGER NOT NULL,
    ready_at    INTEGER,
    pickup_eta  INTEGER,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 1)
) STRICT;

-- What recovery rehydrates: orders not delivered, rejected or cancelled.
CREATE INDEX order_views_active ON order_views (id)
    WHERE status NOT IN ('delivered', 'rejected', 'cancelled');

-- A customer's orders, newest first.
CREATE INDEX order_views_by_customer ON order_views (customer, placed_at DESC, id DESC);

-- The read model of each courier (positions are kept here, not logged).
CREATE TABLE courier_views (
    id         INTEGER PRIMARY KEY CHECK (id >= 0),
    status     TEXT    NOT NULL,
    x          REAL,
    y          REAL,
    shift_end  INTEGER,
    updated_at INTEGER NOT NULL,
    CHECK ((x IS NULL) = (y IS NULL))
) STRICT;

-- Order ids: one row holding the last id handed out.
CREATE TABLE order_id_counter (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    last_id  INTEGER NOT NULL CHECK (last_id >= 0)
) STRICT;

INSERT INTO order_id_counter (only_row, last_id) VALUES (1, 0);
