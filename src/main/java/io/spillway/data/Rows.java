package io.spillway.data;

import io.vertx.sqlclient.Row;

import java.time.Instant;
import java.time.OffsetDateTime;

/** Row -> record mapping, one place per table. */
final class Rows {
  static final String USER_COLUMNS =
      "id, email, name, bio, post_count, follower_count, following_count, created_at";
  static final String POST_COLUMNS = "id, author_id, text, like_count, comment_count, created_at";
  static final String COMMENT_COLUMNS = "id, post_id, author_id, text, created_at";

  private Rows() {}

  static Model.User user(Row r) {
    return new Model.User(r.getLong("id"), r.getString("email"), r.getString("name"), r.getString("bio"),
        r.getInteger("post_count"), r.getInteger("follower_count"), r.getInteger("following_count"),
        instant(r, "created_at"));
  }

  static Model.Post post(Row r, Model.UserRef author) {
    return new Model.Post(r.getLong("id"), r.getLong("author_id"), r.getString("text"), r.getInteger("like_count"),
        r.getInteger("comment_count"), instant(r, "created_at"), author);
  }

  static Model.Comment comment(Row r, Model.UserRef author) {
    return new Model.Comment(r.getLong("id"), r.getLong("post_id"), r.getLong("author_id"), r.getString("text"),
        instant(r, "created_at"), author);
  }

  static Instant instant(Row r, String column) {
    OffsetDateTime t = r.getOffsetDateTime(column);
    return t == null ? null : t.toInstant();
  }
}
