-- API keys, on their owner's shard. The key's id is made with the owner's logical shard, and the key
-- itself names its id, so a lookup goes straight to the right shard. Only a SHA-256 of the key is kept.
CREATE TABLE IF NOT EXISTS api_keys (
  id           bigint PRIMARY KEY,
  user_id      bigint NOT NULL,
  name         text NOT NULL DEFAULT '',
  prefix       text NOT NULL,
  key_hash     bytea NOT NULL,
  plan         text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);
CREATE INDEX IF NOT EXISTS api_keys_by_user ON api_keys (user_id, id DESC);
