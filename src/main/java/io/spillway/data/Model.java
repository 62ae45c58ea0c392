package io.spillway.data;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;

/** The records the data layer answers with. Immutable; passed by reference over the local event bus. */
public final class Model {
  private Model() {}

  public record User(long id, String email, String name, String bio, int postCount, int followerCount,
                     int followingCount, Instant createdAt) {}

  /** Just enough of a user to show next to a post or in a list. */
  public record UserRef(long id, String name) {}

  public record Credentials(long userId, String passwordHash) {}

  public record Post(long id, long authorId, String text, int likeCount, int commentCount, Instant createdAt,
                     UserRef author) {}

  public record Comment(long id, long postId, long authorId, String text, Instant createdAt, UserRef author) {}

  public record Like(long postId, boolean liked, int likeCount) {}

  public record Follow(long followerId, long followeeId, boolean following) {}

  public record FollowEntry(UserRef user, Instant since) {}

  /** An API key as stored: never the key itself, only its hash. {@code revokedAt} is null while it works. */
  public record ApiKey(long id, long userId, String name, String prefix, byte[] keyHash, String plan,
                       Instant createdAt, Instant lastUsedAt, Instant revokedAt) {}

  /** A freshly minted key: shown to its owner once; the database keeps the prefix and the hash. */
  public record NewApiKey(String key, String prefix, byte[] keyHash) {}

  public record CreatedApiKey(ApiKey stored, String key) {}

  /** An account's plan as stored: null means the configured default plan. */
  public record AccountPlan(long userId, String plan) {}

  /** One page of a keyset-paginated list; {@code next} is the id to continue after, or null at the end. */
  public record Page<T>(List<T> items, Long next) {}

  /**
   * The response an idempotent write answered with, as the API layer rendered it ({@code response} holds
   * the body and location); {@code replayed} when it comes from an earlier request with the same key.
   */
  public record StoredResponse(int status, JsonObject response, boolean replayed) {}
}
