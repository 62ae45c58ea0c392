-- Wake the outbox relay as soon as an outbox row commits (NOTIFY is delivered at commit, never for a
-- rolled-back transaction). One notification per statement is enough: the relay drains in batches, and
-- PostgreSQL folds identical notifications of one transaction into one. The relay also polls, so a
-- notification lost while its listening connection was down only delays an event, never loses it.
CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('spillway_outbox', '');
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS outbox_notify ON outbox;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
