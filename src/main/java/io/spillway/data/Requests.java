package io.spillway.data;

import io.vertx.core.json.JsonObject;

import java.util.function.LongFunction;

/**
 * The data layer's operations. Each record is sent on its own event-bus address ({@link #address}) and
 * answered with a {@link Model} record. {@code viewer} is the caller's user id (or null): reads for a
 * caller who wrote recently go to the primary so they see their own writes.
 */
public final class Requests {
  private Requests() {}

  public static String address(Class<?> request) {
    return "data." + request.getSimpleName();
  }

  public record CreateUser(String email, String name, String passwordHash) {}

  public record GetUser(long id, Long viewer) {}

  public record UpdateUser(long id, String name, String bio) {}

  public record FindCredentials(String email) {}

  public record CreatePost(long authorId, String text) {}

  public record GetPost(long id, Long viewer) {}

  public record DeletePost(long id, long actor) {}

  public record ListUserPosts(long authorId, long before, int limit, Long viewer) {}

  public record CreateComment(long postId, long authorId, String text) {}

  public record ListComments(long postId, long before, int limit, Long viewer) {}

  public record SetLike(long postId, long userId, boolean liked) {}

  public record SetFollow(long followerId, long followeeId, boolean follow) {}

  public record ListFollows(long userId, boolean followers, long before, int limit, Long viewer) {}

  public record ReadFeed(long userId, long before, int limit) {}

  /**
   * Creates a key: the shard reserves an id, {@code mint} turns it into the key material (the key itself
   * never reaches the database, only its prefix and hash), and the answer carries the key once.
   */
  public record CreateApiKey(long userId, String name, String plan, LongFunction<Model.NewApiKey> mint) {}

  public record ListApiKeys(long userId) {}

  public record RevokeApiKey(long id, long userId) {}

  /** Looks a key up by id for authentication, and notes that it was used. */
  public record UseApiKey(long id) {}

  public record ClaimIdempotencyKey(String scope, String key, String requestHash) {}

  public record CompleteIdempotencyKey(String scope, String key, int status, JsonObject response) {}

  public record ReleaseIdempotencyKey(String scope, String key) {}
}
