-- FoodieFast on SQLite: the payment saga's read side. Each order's view
-- says where its payment stands and why the order was rejected or
-- cancelled. An order whose payment still has a step to take (an
-- authorisation in flight, a hold to capture or void, a refund in flight)
-- is active whatever its status, so that recovery resumes that step. Keep
-- in step with migrations/postgres.
ALTER TABLE order_views ADD COLUMN payment TEXT NOT NULL DEFAULT 'none';
ALTER TABLE order_views ADD COLUMN reason TEXT;

DROP INDEX order_views_active;
CREATE INDEX order_views_active ON order_views (id)
    WHERE status NOT IN ('delivered', 'rejected', 'cancelled')
       OR payment IN ('authorising', 'authorised', 'refunding');
