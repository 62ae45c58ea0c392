package io.spillway.cache;

/** What a cache entry holds: one resource, named by its kind and id. */
public record CacheKey(Kind kind, long id) {
  /** The kinds of cached resources; the name is part of the Redis key and of the metrics' labels. */
  public enum Kind {
    /** A user's public profile. */
    USER("user", null),
    /** What a post shows of its author: id and name. */
    USER_REF("user_ref", null),
    /** A post without its author (spliced in from {@link #USER_REF} when served). */
    POST("post", "authorId");

    private final String label;
    private final String relatedField;

    Kind(String label, String relatedField) {
      this.label = label;
      this.relatedField = relatedField;
    }

    /** The representation's field naming the resource it is served with, or null. */
    String relatedField() {
      return relatedField;
    }

    public String label() {
      return label;
    }
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

  String redisKey(String prefix) {
    return prefix + kind.label + ":" + id;
  }
}
