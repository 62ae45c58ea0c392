package io.spillway.api;

import io.spillway.cache.CacheKey;
import io.spillway.cache.Entry;
import io.spillway.cache.ReadCache;
import io.spillway.data.DataClient;
import io.spillway.data.Model;
import io.spillway.data.Requests;
import io.spillway.web.Problem;
import io.spillway.web.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The API's cached reads: how each cached representation is loaded and encoded (once, as the API sends it),
 * and how a post is served with its author's current name. Misses go to the data layer, those of one event-loop
 * turn as one batched read ({@link TurnLoads}); a 404 is cached too.
 */
final class CachedReads {
  private static final Buffer AUTHOR = Buffer.buffer(",\"author\":");
  private static final Buffer CLOSE = Buffer.buffer("}");

  private final ReadCache cache;
  private final TurnLoads<Model.User> users;
  private final TurnLoads<Model.Post> posts;

  CachedReads(ReadCache cache, DataClient data) {
    this.cache = cache;
    this.users = new TurnLoads<>((ids, viewers) -> data.call(new Requests.GetUsers(ids, viewers)));
    this.posts = new TurnLoads<>((ids, viewers) -> data.call(new Requests.GetPosts(ids, viewers)));
  }

  /** A user's public profile (never the email: that is only for the user, who reads it uncached). */
  Future<ApiResponse> user(long id, Long viewer) {
    return userEntry(id, viewer).map(e -> found(e, "user"));
  }

  /** The same profile in API v2: its shape derived once from the v1 entry and cached beside it. */
  Future<ApiResponse> user(long id, Long viewer, ApiVersion version) {
    if (version == ApiVersion.V1) {
      return user(id, viewer);
    }
    return cache.get(CacheKey.userV2(id), () -> userEntry(id, viewer)
            .map(v1 -> v1.found() ? Entry.of(V2Representations.user(new JsonObject(v1.body())).toBuffer()) : v1))
        .map(e -> found(e, "user"));
  }

  private Future<Entry> userEntry(long id, Long viewer) {
    return cache.get(CacheKey.user(id), () -> users.load(id, viewer)
        .map(u -> u == null ? Entry.missing() : Entry.of(Representations.user(u, false).toBuffer())));
  }

  /**
   * A post: its own fields from one entry and its author's id and name from another, joined as the API sends
   * them. A renamed author shows in every post at once, without finding each post.
   */
  Future<ApiResponse> post(long id, Long viewer) {
    return served(postEntry(id, viewer));
  }

  /** The same post in API v2: its shape derived once from the v1 entry and cached beside it. */
  Future<ApiResponse> post(long id, Long viewer, ApiVersion version) {
    if (version == ApiVersion.V1) {
      return post(id, viewer);
    }
    return served(cache.get(CacheKey.postV2(id), () -> postEntry(id, viewer)
        .map(v1 -> v1.found() ? Entry.of(V2Representations.postWithoutAuthor(new JsonObject(v1.body())).toBuffer(),
            v1.related()) : v1)));
  }

  private Future<Entry> postEntry(long id, Long viewer) {
    return cache.get(CacheKey.post(id), () -> posts.load(id, viewer)
        .map(p -> p == null ? Entry.missing() : Entry.of(Representations.post(p).toBuffer(), p.authorId())));
  }

  private Future<ApiResponse> served(Future<Entry> entry) {
    return entry.compose(post -> {
      if (!post.found()) {
        return Future.failedFuture(new ProblemException(Problem.notFound("post not found")));
      }
      return author(post.related())
          .map(ref -> new ApiResponse(200, splice(post.body(), ref), null, null, null));
    });
  }

  /** What a post shows of its author, {@code {"id", "name"}}, the same in both versions (cached). */
  Future<Buffer> authorRef(long id) {
    return author(id);
  }

  private Future<Buffer> author(long id) {
    return cache.get(CacheKey.userRef(id), () -> users.load(id, null)
            .map(u -> u == null ? Entry.missing() : Entry.of(Representations.ref(new Model.UserRef(u.id(), u.name())).toBuffer())))
        .map(e -> e.found() ? e.body() : Representations.ref(new Model.UserRef(id, null)).toBuffer());
  }

  /** {@code {...post...}} + author -> {@code {...post...,"author":{...}}}: the field the API sends last. */
  private static Buffer splice(Buffer post, Buffer author) {
    return Buffer.buffer(post.length() + AUTHOR.length() + author.length())
        .appendBuffer(post, 0, post.length() - 1).appendBuffer(AUTHOR).appendBuffer(author).appendBuffer(CLOSE);
  }

  private static ApiResponse found(Entry e, String what) {
    if (!e.found()) {
      throw new ProblemException(Problem.notFound(what + " not found"));
    }
    return ApiResponse.cached(e);
  }
}
