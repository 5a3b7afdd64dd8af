-- FoodieFast on SQLite: what the gateway keeps besides the order log:
-- accounts, chefs' kitchens and menus, and the idempotency keys of order
-- placements. Keep in step with migrations/postgres.

-- Sign-up creates an account; its id is the customer's, chef's or
-- courier's id in the engine. Only the argon2 hash of a password is kept.
CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT CHECK (id >= 1),
    email         TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('customer', 'chef', 'courier', 'admin')),
    name          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;

-- One kitchen per chef. Position in WGS84 degrees; opening hours as JSON
-- (a list of weekly intervals); `accepting` is the chef's open/closed switch.
CREATE TABLE kitchens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT CHECK (id >= 1),
    chef         INTEGER NOT NULL UNIQUE REFERENCES accounts (id),
    name         TEXT    NOT NULL,
    lat          REAL    NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lng          REAL    NOT NULL CHECK (lng BETWEEN -180 AND 180),
    prep_minutes INTEGER NOT NULL CHECK (prep_minutes >= 0),
    accepting    INTEGER NOT NULL CHECK (accepting IN (0, 1)),
    hours        TEXT    NOT NULL
) STRICT;

-- A kitchen's menu. Prices in minor units of `currency` (ISO 4217).
CREATE TABLE menu_items (
    id           INTEGER PRIMARY KEY AUTOINCREMENT CHECK (id >= 1),
    kitchen      INTEGER NOT NULL REFERENCES kitchens (id),
    name         TEXT    NOT NULL,
    price_minor  INTEGER NOT NULL CHECK (price_minor >= 0),
    currency     TEXT    NOT NULL,
    available    INTEGER NOT NULL CHECK (available IN (0, 1)),
    prep_minutes INTEGER NOT NULL CHECK (prep_minutes >= 0)
) STRICT;

CREATE INDEX menu_items_by_kitchen ON menu_items (kitchen, id);

-- Order placements by idempotency key: the first request with a key
-- reserves the order id; a repeat with the same request gets that order,
-- one with another request is refused. `request` is the canonical JSON of
-- the placement.
CREATE TABLE idempotency_keys (
    customer   INTEGER NOT NULL,
    key        TEXT    NOT NULL,
    request    TEXT    NOT NULL,
    order_id   INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (customer, key)
) STRICT;
