package io.spillway.cache;

import io.spillway.events.CommittedEvent;

import java.util.ArrayList;
import java.util.List;

/**
 * Which cached resources a committed event changes. Counts are part of the representations, so a post's like
 * or comment changes the post, a new or deleted post changes its author, and a follow changes both users.
 */
final class Invalidations {
  private Invalidations() {}

  static List<CacheKey> keysOf(CommittedEvent e) {
    List<CacheKey> keys = new ArrayList<>(2);
    switch (e.type()) {
      case POST_CREATED -> add(keys, CacheKey.Kind.USER, e.id("authorId"));
      case POST_DELETED -> {
        add(keys, CacheKey.Kind.POST, e.id("postId"));
        add(keys, CacheKey.Kind.USER, e.id("authorId"));
      }
      case COMMENT_CREATED, POST_LIKES, POST_LIKED -> add(keys, CacheKey.Kind.POST, e.id("postId"));
      case FOLLOW_CREATED, FOLLOW_DELETED -> {
        add(keys, CacheKey.Kind.USER, e.id("followerId"));
        add(keys, CacheKey.Kind.USER, e.id("followeeId"));
      }
      case USER_UPDATED -> {
        add(keys, CacheKey.Kind.USER, e.id("userId"));
        add(keys, CacheKey.Kind.USER_REF, e.id("userId"));
      }
      default -> { }
    }
    return keys;
  }

  private static void add(List<CacheKey> keys, CacheKey.Kind kind, long id) {
    if (id > 0) {
      keys.add(new CacheKey(kind, id));
    }
  }
}
