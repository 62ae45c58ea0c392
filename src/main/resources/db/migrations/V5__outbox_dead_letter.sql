-- Outbox rows Kafka refused for good (a record over the broker's size limit, an invalid topic): moved here
-- by the relay so they no longer block their shard's outbox. Each keeps its outbox id and the error. Replay
-- one by inserting it back: INSERT INTO outbox (topic, channel, event) SELECT topic, channel, event FROM
-- outbox_dead_letter WHERE id = ...
CREATE TABLE IF NOT EXISTS outbox_dead_letter (
  id         bigint PRIMARY KEY,
  topic      text NOT NULL,
  channel    text NOT NULL,
  event      jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  failed_at  timestamptz NOT NULL DEFAULT now(),
  error      text NOT NULL
);
