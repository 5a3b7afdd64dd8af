-- FoodieFast on PostgreSQL: the latest dispatch decision about each order
-- (its candidates, their costs, the courier chosen and why), as JSON, so
-- that an operator can ask after the dispatcher forgot or restarted. Keep in
-- step with migrations/sqlite.
CREATE TABLE dispatch_decisions (
    order_id   BIGINT PRIMARY KEY CHECK (order_id >= 1),
    offer      BIGINT NOT NULL,
    decided_at BIGINT NOT NULL,
    decision   TEXT   NOT NULL
);
