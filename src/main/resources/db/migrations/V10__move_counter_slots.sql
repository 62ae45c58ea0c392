-- The counter slots (V6) are rows of their user's or post's logical shard: a shard move copies them, replays
-- their changes and fences them like the shard's other rows (V9, docs/resharding.md).
DROP TRIGGER IF EXISTS shard_capture ON user_counter_slots;
CREATE TRIGGER shard_capture AFTER INSERT OR UPDATE OR DELETE ON user_counter_slots
  FOR EACH ROW EXECUTE FUNCTION shard_capture('user_id', 'id', 'user_id', 'slot');
DROP TRIGGER IF EXISTS shard_capture ON post_counter_slots;
CREATE TRIGGER shard_capture AFTER INSERT OR UPDATE OR DELETE ON post_counter_slots
  FOR EACH ROW EXECUTE FUNCTION shard_capture('post_id', 'id', 'post_id', 'slot');
