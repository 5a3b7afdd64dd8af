-- FoodieFast on SQLite: the couriers' zones of a cluster, kept so that both
-- backends share one schema history (an embedded store never joins a
-- cluster: the table stays empty). Keep in step with migrations/postgres.
CREATE TABLE courier_zones (
    courier INTEGER PRIMARY KEY CHECK (courier >= 0),
    zone    TEXT    NOT NULL
);
