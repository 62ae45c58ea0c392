package io.spillway.cache;

import io.spillway.web.Ids;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** What a cache entry holds: one resource in one representation, named by its kind and id. */
public record CacheKey(Kind kind, long id) {
  /** The kinds of cached resources; the name is part of the Redis key and of the metrics' labels. */
  public enum Kind {
    /** A user's public profile (API v1). */
    USER("user", null),
    /** What a post shows of its author: id and name (both API versions). */
    USER_REF("user_ref", null),
    /** A post without its author, spliced in from {@link #USER_REF} when served (API v1). */
    POST("post", "authorId"),
    /** A user's public profile in API v2: derived from {@link #USER}, dropped with it. */
    USER_V2("user_v2", null),
    /** A post without its author in API v2: derived from {@link #POST}, dropped with it. */
    POST_V2("post_v2", "links.author");

    private final String label;
    private final String relatedField;

    Kind(String label, String relatedField) {
      this.label = label;
      this.relatedField = relatedField;
    }

    /**
     * The id of the resource a representation is served with (a post's author), read back from its JSON: the
     * field {@code relatedField} holds the id, or a link whose last segment is the id. 0 when there is none.
     */
    long related(JsonObject json) {
      if (relatedField == null) {
        return 0;
      }
      Object value = json;
      for (String part : relatedField.split("\\.")) {
        value = value instanceof JsonObject o ? o.getValue(part) : null;
      }
      if (!(value instanceof String s) || s.isEmpty()) {
        return 0;
      }
      try {
        return Long.parseLong(s.substring(s.lastIndexOf('/') + 1));
      } catch (NumberFormatException e) {
        return 0;
      }
    }

    boolean hasRelated() {
      return relatedField != null;
    }

    public String label() {
      return label;
    }
  }

  /** Ids hash poorly as they are (see {@link Ids#spread}); the near cache and the flights are keyed by this. */
  @Override
  public int hashCode() {
    return Long.hashCode(Ids.spread(id)) * 31 + kind.ordinal();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CacheKey k && k.id == id && k.kind == kind;
  }

  public static CacheKey user(long id) {
    return new CacheKey(Kind.USER, id);
  }

  public static CacheKey userRef(long id) {
    return new CacheKey(Kind.USER_REF, id);
  }

  public static CacheKey post(long id) {
    return new CacheKey(Kind.POST, id);
  }

  public static CacheKey userV2(long id) {
    return new CacheKey(Kind.USER_V2, id);
  }

  public static CacheKey postV2(long id) {
    return new CacheKey(Kind.POST_V2, id);
  }

  /**
   * This key and the keys of the representations derived from it: a change to the resource drops them all,
   * so no version of the API shows it stale longer than another.
   */
  List<CacheKey> withDerived() {
    return switch (kind) {
      case USER -> List.of(this, userV2(id));
      case POST -> List.of(this, postV2(id));
      default -> List.of(this);
    };
  }

  String redisKey(String prefix) {
    return prefix + kind.label + ":" + id;
  }
}
