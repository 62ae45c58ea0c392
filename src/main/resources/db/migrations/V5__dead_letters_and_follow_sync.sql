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

-- A follow's second half, waiting: on the follower's shard, written in the same transaction as the
-- following row, and deleted once the followee's shard matches (see data.FollowStore). The row is also the
-- per-pair lock that keeps a follow and an unfollow of the same pair from crossing on the other shard.
CREATE TABLE IF NOT EXISTS follow_sync (
  follower_id bigint NOT NULL,
  followee_id bigint NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (follower_id, followee_id)
);
