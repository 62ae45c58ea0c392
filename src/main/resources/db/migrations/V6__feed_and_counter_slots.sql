-- A reader's follows, most recent first: the feed's rebuild and its read-time assembly read at most
-- feed.maxFollowees follows, and take the most recent ones (see docs/feed.md).
CREATE INDEX IF NOT EXISTS following_by_time ON following (follower_id, created_at DESC);

-- Counters without a hot row. A count is its base column (users.post_count, posts.like_count, ...) plus the
-- sum of its slots; a write adds to one slot chosen at random, so concurrent writes of one author or one
-- post spread over the slots instead of queueing on one row's lock, and the sum stays exact.
CREATE TABLE IF NOT EXISTS user_counter_slots (
  user_id   bigint NOT NULL,
  slot      integer NOT NULL,
  posts     integer NOT NULL DEFAULT 0,
  followers integer NOT NULL DEFAULT 0,
  following integer NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, slot)
);
CREATE TABLE IF NOT EXISTS post_counter_slots (
  post_id  bigint NOT NULL,
  slot     integer NOT NULL,
  likes    integer NOT NULL DEFAULT 0,
  comments integer NOT NULL DEFAULT 0,
  PRIMARY KEY (post_id, slot)
);

-- What every read of a user or a post selects from: the row with its counts summed.
CREATE OR REPLACE VIEW counted_users AS
SELECT u.id, u.email, u.name, u.bio,
       u.post_count + coalesce(c.posts, 0) AS post_count,
       u.follower_count + coalesce(c.followers, 0) AS follower_count,
       u.following_count + coalesce(c.following, 0) AS following_count,
       u.created_at
FROM users u LEFT JOIN LATERAL (
  SELECT sum(s.posts)::integer AS posts, sum(s.followers)::integer AS followers, sum(s.following)::integer AS following
  FROM user_counter_slots s WHERE s.user_id = u.id) c ON true;

CREATE OR REPLACE VIEW counted_posts AS
SELECT p.id, p.author_id, p.text,
       p.like_count + coalesce(c.likes, 0) AS like_count,
       p.comment_count + coalesce(c.comments, 0) AS comment_count,
       p.created_at
FROM posts p LEFT JOIN LATERAL (
  SELECT sum(s.likes)::integer AS likes, sum(s.comments)::integer AS comments
  FROM post_counter_slots s WHERE s.post_id = p.id) c ON true;
