package io.spillway.data;


import java.util.List;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * The data layer's operations. Each record is sent on its own event-bus address ({@link DataRequest#address})
 * and answered with the {@link Model} record its {@link DataRequest} type names. {@code viewer} is the caller's user id (or null): reads for a
 * caller who wrote recently go to the primary so they see their own writes.
 */
public final class Requests {
  private Requests() {}

  public record CreateUser(String email, String name, String passwordHash) implements DataRequest<Model.User> {}

  public record GetUser(long id, Long viewer) implements DataRequest<Model.User> {}

  public record UpdateUser(long id, String name, String bio) implements DataRequest<Model.User> {}

  public record FindCredentials(String email) implements DataRequest<Model.Credentials> {}

  /** A stronger hash of the same password, written only while the stored hash is still {@code oldHash}. */
  public record ReplacePasswordHash(long userId, String oldHash, String newHash) implements DataRequest<Void> {}

  public record CreatePost(long authorId, String text) implements DataRequest<Model.Post> {}

  public record GetPost(long id, Long viewer) implements DataRequest<Model.Post> {}

  public record DeletePost(long id, long actor) implements DataRequest<Void> {}

  public record ListUserPosts(long authorId, long before, int limit, Long viewer)
      implements DataRequest<Model.Page<Model.Post>> {}

  public record CreateComment(long postId, long authorId, String text) implements DataRequest<Model.Comment> {}

  public record ListComments(long postId, long before, int limit, Long viewer)
      implements DataRequest<Model.Page<Model.Comment>> {}

  public record SetLike(long postId, long userId, boolean liked) implements DataRequest<Model.Like> {}

  public record SetFollow(long followerId, long followeeId, boolean follow) implements DataRequest<Model.Follow> {}

  public record ListFollows(long userId, boolean followers, long before, int limit, Long viewer)
      implements DataRequest<Model.Page<Model.FollowEntry>> {}

  public record ReadFeed(long userId, long before, int limit) implements DataRequest<Model.Page<Model.Post>> {}

  /**
   * Fans a committed post out to its author's followers' timelines, or takes a deleted one out of them;
   * answers the number of followers visited (0 for a high-follower author). Idempotent.
   */
  public record FanOutPost(long postId, long authorId, boolean deleted) implements DataRequest<Integer> {}

  /** A committed follow or unfollow, applied to the follower's timeline. Idempotent. */
  public record FollowChanged(long followerId, long followeeId, boolean follows) implements DataRequest<Void> {}

  /**
   * Rebuilds the user's timeline from the posts tables, replacing the one there; answers the number of posts
   * written, or -1 when timelines are off or another rebuild of it is under way.
   */
  public record RebuildTimeline(long userId) implements DataRequest<Integer> {}

  /**
   * Creates a key: the shard reserves an id, {@code mint} turns it into the key material (the key itself
   * never reaches the database, only its prefix and hash), and the answer carries the key once. Refused (409)
   * when the account already holds {@code maxActive} keys that are not revoked; the count and the insert are
   * one transaction under the account's row lock, so concurrent creates cannot pass the cap together.
   * {@code plan} is recorded with the key: the account's plan when it was made.
   */
  public record CreateApiKey(long userId, String name, String plan, int maxActive, LongFunction<Model.NewApiKey> mint)
      implements DataRequest<Model.CreatedApiKey> {}

  public record ListApiKeys(long userId) implements DataRequest<List<Model.ApiKey>> {}

  public record RevokeApiKey(long id, long userId) implements DataRequest<Void> {}

  /** Looks a key up by id for authentication (null when there is none). Writes nothing. */
  public record FindApiKey(long id) implements DataRequest<Model.ApiKey> {}

  /** Sets {@code last_used_at} of these keys to now: one statement per shard, for a batch of uses. */
  public record TouchApiKeys(List<Long> ids) implements DataRequest<Void> {}

  /** The account's plan as stored (null: the default plan); 404 when there is no such account. */
  public record GetAccountPlan(long userId) implements DataRequest<Model.AccountPlan> {}

  /** Sets the account's plan (null: back to the default plan); 404 when there is no such account. */
  public record SetAccountPlan(long userId, String plan) implements DataRequest<Model.AccountPlan> {}

  /** An {@code Idempotency-Key}: unique per {@code scope} (the caller) on the shard the write lands on. */
  public record IdempotencyKey(String scope, String key, String requestHash) {}

  /**
   * Runs {@code write} (a {@link CreatePost}, {@link CreateComment} or {@link CreateUser}) with its key's
   * record in one transaction on the write's shard: the first request with the key writes and stores the
   * response {@code render} makes of the result (a pure function, run inside the transaction); a retry
   * gets that response back; a concurrent retry waits for the first to commit or roll back. A crash before
   * the commit leaves neither the write nor the record, so the retry writes.
   */
  public record IdempotentWrite<R>(IdempotencyKey key, DataRequest<R> write, Function<R, Model.StoredResponse> render)
      implements DataRequest<Model.StoredResponse> {}

  /** The viewers of a read made for {@code viewer} (none when anonymous). */
  public static List<Long> viewers(Long viewer) {
    return viewer == null ? List.of() : List.of(viewer);
  }

  /**
   * Many users by id: one query per shard. Missing ids are absent from the answer. {@code viewers}: whom the
   * read is for (several when the reads of many requests go as one); if any of them wrote on this node a moment
   * ago, the shard's primary answers, as for a single read.
   */
  public record GetUsers(List<Long> ids, List<Long> viewers) implements DataRequest<java.util.Map<Long, Model.User>> {
    public static GetUsers of(List<Long> ids, Long viewer) {
      return new GetUsers(ids, Requests.viewers(viewer));
    }
  }

  /** Many posts by id (without their authors): one query per shard, as {@link GetUsers}. */
  public record GetPosts(List<Long> ids, List<Long> viewers) implements DataRequest<java.util.Map<Long, Model.Post>> {
    public static GetPosts of(List<Long> ids, Long viewer) {
      return new GetPosts(ids, Requests.viewers(viewer));
    }
  }

  /** The newest {@code perPost} comments of each post (newest first): one query per shard. */
  public record LatestComments(List<Long> postIds, int perPost, Long viewer)
      implements DataRequest<java.util.Map<Long, List<Model.Comment>>> {}

  /** Which of {@code postIds} {@code userId} likes: one query per shard. */
  public record LikedPosts(long userId, List<Long> postIds) implements DataRequest<List<Long>> {}
}
