-- Change capture and the write fence of a shard move, on the source database. A logical shard listed in
-- shard_capture is being moved away: with state 'capture' every row written to it is also recorded in
-- shard_changes (table and primary key), which the mover replays at the target; with state 'fenced' a
-- write to it is refused with SQLSTATE SW001 (the API answers 503 with Retry-After). The fence stays after
-- the cut-over, so a node that has not yet seen the new map cannot write to the old place.
CREATE TABLE IF NOT EXISTS shard_capture (
  logical integer PRIMARY KEY,
  state   text NOT NULL CHECK (state IN ('capture', 'fenced'))
);

CREATE TABLE IF NOT EXISTS shard_changes (
  seq     bigserial PRIMARY KEY,
  logical integer NOT NULL,
  tbl     text NOT NULL,
  pk      jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS shard_changes_by_logical ON shard_changes (logical, seq);

-- An Idempotency-Key record's logical shard (the write's), so a move takes the records with their writes.
-- Records written before this column existed have none and stay where they are (they expire within a day).
ALTER TABLE idempotency_keys ADD COLUMN IF NOT EXISTS logical_shard integer;

-- TG_ARGV: the column that places the row, 'id' (a Spillway id, logical shard in bits 10..22) or 'logical'
-- (the logical shard itself), then the primary-key columns. Without any move in progress the cost is one
-- look at an empty table. The mover's own statements (removing a moved shard's rows from its old place) set
-- spillway.shard_move and pass.
CREATE OR REPLACE FUNCTION shard_capture() RETURNS trigger AS $$
DECLARE
  j jsonb;
  v_logical integer;
  v_state text;
  k jsonb := '{}'::jsonb;
  i integer;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM shard_capture) THEN
    RETURN NULL;
  END IF;
  IF current_setting('spillway.shard_move', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    j := to_jsonb(OLD);
  ELSE
    j := to_jsonb(NEW);
  END IF;
  IF j ->> TG_ARGV[0] IS NULL THEN
    RETURN NULL;
  END IF;
  IF TG_ARGV[1] = 'id' THEN
    v_logical := (((j ->> TG_ARGV[0])::bigint >> 10) & 8191)::integer;
  ELSE
    v_logical := (j ->> TG_ARGV[0])::integer;
  END IF;
  SELECT c.state INTO v_state FROM shard_capture c WHERE c.logical = v_logical;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF v_state = 'fenced' THEN
    RAISE EXCEPTION 'logical shard % is being moved or has moved', v_logical USING ERRCODE = 'SW001';
  END IF;
  FOR i IN 2 .. TG_NARGS - 1 LOOP
    k := k || jsonb_build_object(TG_ARGV[i], j -> TG_ARGV[i]);
  END LOOP;
  INSERT INTO shard_changes (logical, tbl, pk) VALUES (v_logical, TG_TABLE_NAME, k);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS shard_capture ON users;
CREATE TRIGGER shard_capture AFTER INSERT OR UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION shard_capture('id', 'id', 'id');
DROP TRIGGER IF EXISTS shard_capture ON email_directory;
CREATE TRIGGER shard_capture AFTER INSERT OR UPDATE OR DELETE ON email_directory
  FOR EACH ROW EXECUTE FUNCTION shard_capture('user_id', 'id', 'email');
DROP TRIGGER IF EXISTS shard_capture ON posts;
CREATE TRIGGER shard_capture AFTER INSERT OR UPDATE OR DELETE ON posts
  FOR EACH ROW EXECUTE FUNCTION shard_capture('id', 'id', 'id');
DROP TRIGGER IF EXISTS shard_capture ON comments;
CREATE TRIGGER shard_capture AFTER INSERT OR UPDATE OR DELETE ON comments
  FOR EACH ROW EXECUTE FUNCTION shard_capture('post_id', 'id', 'id');
DROP TRIGGER IF EXISTS shard_capture ON likes;
CREATE TRIGGER shard_capture AFTER INSERT OR UPDATE OR DELETE ON likes
  FOR EACH ROW EXECUTE FUNCTION shard_capture('post_id', 'id', 'post_id', 'user_id');
DROP TRIGGER IF EXISTS shard_capture ON following;
CREATE TRIGGER shard_capture AFTER INSERT OR UPDATE OR DELETE ON following
  FOR EACH ROW EXECUTE FUNCTION shard_capture('follower_id', 'id', 'follower_id', 'followee_id');
DROP TRIGGER IF EXISTS shard_capture ON followers;
CREATE TRIGGER shard_capture AFTER INSERT OR UPDATE OR DELETE ON followers
  FOR EACH ROW EXECUTE FUNCTION shard_capture('followee_id', 'id', 'followee_id', 'follower_id');
DROP TRIGGER IF EXISTS shard_capture ON follow_sync;
CREATE TRIGGER shard_capture AFTER INSERT OR UPDATE OR DELETE ON follow_sync
  FOR EACH ROW EXECUTE FUNCTION shard_capture('follower_id', 'id', 'follower_id', 'followee_id');
DROP TRIGGER IF EXISTS shard_capture ON api_keys;
CREATE TRIGGER shard_capture AFTER INSERT OR UPDATE OR DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION shard_capture('id', 'id', 'id');
DROP TRIGGER IF EXISTS shard_capture ON idempotency_keys;
CREATE TRIGGER shard_capture AFTER INSERT OR UPDATE OR DELETE ON idempotency_keys
  FOR EACH ROW EXECUTE FUNCTION shard_capture('logical_shard', 'logical', 'scope', 'key');
