-- Every shard has the same schema. Rows are placed by the logical shard encoded in their id.

-- Ids: 64-bit, time-ordered, made here so the shard of any id is known without a lookup:
--   milliseconds since 2025-01-01 (41 bits) | logical shard (13 bits) | per-shard sequence (10 bits)
CREATE SEQUENCE IF NOT EXISTS id_seq;

CREATE OR REPLACE FUNCTION next_id(logical_shard int) RETURNS bigint AS $$
DECLARE
  epoch_ms CONSTANT bigint := 1735689600000;
  now_ms bigint := floor(extract(epoch FROM clock_timestamp()) * 1000);
BEGIN
  RETURN ((now_ms - epoch_ms) << 23) | ((logical_shard & 8191)::bigint << 10) | (nextval('id_seq') % 1024);
END;
$$ LANGUAGE plpgsql VOLATILE;

CREATE TABLE IF NOT EXISTS users (
  id              bigint PRIMARY KEY,
  email           text NOT NULL,
  name            text NOT NULL,
  bio             text NOT NULL DEFAULT '',
  password_hash   text NOT NULL,
  post_count      integer NOT NULL DEFAULT 0,
  follower_count  integer NOT NULL DEFAULT 0,
  following_count integer NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- email -> user id, on the shard of the email's hash (which is also where the user lives).
CREATE TABLE IF NOT EXISTS email_directory (
  email   text PRIMARY KEY,
  user_id bigint NOT NULL
);

CREATE TABLE IF NOT EXISTS posts (
  id            bigint PRIMARY KEY,
  author_id     bigint NOT NULL,
  text          text NOT NULL,
  like_count    integer NOT NULL DEFAULT 0,
  comment_count integer NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS posts_by_author ON posts (author_id, id DESC);

-- Comments and likes live with their post.
CREATE TABLE IF NOT EXISTS comments (
  id         bigint PRIMARY KEY,
  post_id    bigint NOT NULL,
  author_id  bigint NOT NULL,
  text       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS comments_by_post ON comments (post_id, id DESC);

CREATE TABLE IF NOT EXISTS likes (
  post_id    bigint NOT NULL,
  user_id    bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (post_id, user_id)
);

-- A follow is written on both users' shards.
CREATE TABLE IF NOT EXISTS following (
  follower_id bigint NOT NULL,
  followee_id bigint NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (follower_id, followee_id)
);
CREATE TABLE IF NOT EXISTS followers (
  followee_id bigint NOT NULL,
  follower_id bigint NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (followee_id, follower_id)
);

-- Idempotency-Key records, on the shard of the caller (or of the key, for anonymous calls).
CREATE TABLE IF NOT EXISTS idempotency_keys (
  scope        text NOT NULL,
  key          text NOT NULL,
  request_hash text NOT NULL,
  status       integer,
  response     jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);

-- Transactional outbox: written in the same transaction as the change it describes.
CREATE TABLE IF NOT EXISTS outbox (
  id         bigserial PRIMARY KEY,
  topic      text NOT NULL,
  channel    text NOT NULL,
  event      jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
