-- The baseline's table: the same user rows as Spillway's shards, in one database (bench/seed.sh fills it).
CREATE TABLE users (
  id              bigint PRIMARY KEY,
  name            text NOT NULL,
  bio             text NOT NULL DEFAULT '',
  post_count      integer NOT NULL DEFAULT 0,
  follower_count  integer NOT NULL DEFAULT 0,
  following_count integer NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL DEFAULT now()
);
