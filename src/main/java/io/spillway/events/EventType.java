package io.spillway.events;

/** The types of committed events, as their CloudEvents {@code type} attribute spells them. */
public enum EventType {
  POST_CREATED("spillway.post.created"),
  POST_DELETED("spillway.post.deleted"),
  COMMENT_CREATED("spillway.comment.created"),
  /** A post's like count changed (on the post's channel). */
  POST_LIKES("spillway.post.likes"),
  /** Someone liked your post (on the author's private channel). */
  POST_LIKED("spillway.post.liked"),
  FOLLOW_CREATED("spillway.follow.created"),
  FOLLOW_DELETED("spillway.follow.deleted"),
  /** A user changed their profile (on the user's private channel). */
  USER_UPDATED("spillway.user.updated");

  private final String type;

  EventType(String type) {
    this.type = type;
  }

  /** The CloudEvents {@code type}. */
  public String type() {
    return type;
  }

  /** The event type named {@code type}, or null for a type this version does not know. */
  public static EventType of(String type) {
    for (EventType t : values()) {
      if (t.type.equals(type)) {
        return t;
      }
    }
    return null;
  }
}
