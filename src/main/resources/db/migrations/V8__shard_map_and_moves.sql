-- The live shard map and the record of shard moves. Every shard gets the tables (one schema everywhere),
-- but only the first shard's (data.shards[0]) rows are read: it is where every node finds the map.
-- physical[l + 1] is the physical shard (index into data.shards) of logical shard l. The row is seeded from
-- data.shardMap on the first start and changed only by a move's cut-over, which bumps version in the same
-- statement and announces it with NOTIFY spillway_shard_map.
CREATE TABLE IF NOT EXISTS shard_map (
  id         integer PRIMARY KEY CHECK (id = 1),
  version    bigint NOT NULL,
  physical   integer[] NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per move. phase: prepare -> copy -> catch-up -> cut-over -> done, or cancelled / failed.
-- copy_table and copy_key are where the snapshot copy stands, so a mover that died resumes there.
CREATE TABLE IF NOT EXISTS shard_moves (
  id               bigserial PRIMARY KEY,
  logical          integer NOT NULL,
  source           integer NOT NULL,
  target           integer NOT NULL,
  phase            text NOT NULL,
  cancel_requested boolean NOT NULL DEFAULT false,
  copy_table       integer NOT NULL DEFAULT 0,
  copy_key         jsonb,
  rows_copied      bigint NOT NULL DEFAULT 0,
  rows_replayed    bigint NOT NULL DEFAULT 0,
  fence_ms         integer,
  error            text,
  cleaned_rows     bigint,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz
);
-- At most one move of a logical shard at a time.
CREATE UNIQUE INDEX IF NOT EXISTS shard_moves_one_active ON shard_moves (logical)
  WHERE phase IN ('prepare', 'copy', 'catch-up', 'cut-over');
