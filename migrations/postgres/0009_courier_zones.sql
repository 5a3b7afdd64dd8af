-- FoodieFast on PostgreSQL: in a cluster, the zone each courier's shift runs
-- in (the zone it went online in), so that the gateway of any node can send
-- the courier's app's commands to the node that owns that zone. Written
-- before the courier goes online; a courier keeps its zone until it goes
-- online again. Keep in step with migrations/sqlite.
CREATE TABLE courier_zones (
    courier BIGINT PRIMARY KEY CHECK (courier >= 0),
    zone    TEXT   NOT NULL
);
