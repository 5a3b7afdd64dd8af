-- FoodieFast on PostgreSQL: each kitchen's feed, and busy mode. Every event of a
-- kitchen's orders gets the next number of that kitchen (1, 2, 3, ...), in
-- the transaction of the append that records it: the event ids of the
-- chef's live feed, from which a reconnecting tablet resumes. Appends to
-- one kitchen lock its head row until they commit, so numbers are
-- committed in order and a reader never sees a number before a smaller
-- one. Keep in step with migrations/sqlite.
CREATE TABLE kitchen_feed (
    kitchen  BIGINT NOT NULL,
    seq      BIGINT NOT NULL CHECK (seq >= 1),
    order_id BIGINT NOT NULL,
    version  BIGINT NOT NULL,
    PRIMARY KEY (kitchen, seq),
    UNIQUE (order_id, version)
);

-- The last number handed out per kitchen.
CREATE TABLE kitchen_feed_heads (
    kitchen  BIGINT PRIMARY KEY,
    last_seq BIGINT NOT NULL CHECK (last_seq >= 0)
);

-- Events recorded before this migration, numbered in the order they were
-- recorded.
INSERT INTO kitchen_feed (kitchen, seq, order_id, version)
SELECT v.kitchen,
       ROW_NUMBER() OVER (PARTITION BY v.kitchen
                          ORDER BY e.recorded_at, e.order_id, e.version),
       e.order_id,
       e.version
FROM order_events e JOIN order_views v ON v.id = e.order_id;

INSERT INTO kitchen_feed_heads (kitchen, last_seq)
SELECT kitchen, MAX(seq) FROM kitchen_feed GROUP BY kitchen;

-- Busy mode: the chef takes no new orders before this instant (engine
-- seconds); NULL when not set.
ALTER TABLE kitchens ADD COLUMN busy_until BIGINT;
