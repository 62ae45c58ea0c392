-- The outbox relay is no longer woken by a NOTIFY per committing statement: PostgreSQL serialises the commits
-- of notifying transactions on one lock, which cost about a third of the write throughput. The node that
-- commits a write wakes its own relay in-process, notifies another node's relay at most once per
-- outbox.notifyMinGapMs, and the relay polls with a back-off driven by its own progress (docs/feed.md).
DROP TRIGGER IF EXISTS outbox_notify ON outbox;
DROP FUNCTION IF EXISTS outbox_notify();
