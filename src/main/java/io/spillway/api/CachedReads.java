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

/**
 * The API's cached reads: how each cached representation is loaded and encoded (once, as the API sends it),
 * and how a post is served with its author's current name. Misses go to the data layer; a 404 is cached too.
 */
final class CachedReads {
  private static final Buffer AUTHOR = Buffer.buffer(",\"author\":");
  private static final Buffer CLOSE = Buffer.buffer("}");

  private final ReadCache cache;
  private final DataClient data;

  CachedReads(ReadCache cache, DataClient data) {
    this.cache = cache;
    this.data = data;
  }

  /** A user's public profile (never the email: that is only for the user, who reads it uncached). */
  Future<ApiResponse> user(long id, Long viewer) {
    return cache.get(CacheKey.user(id), () -> data.call(new Requests.GetUser(id, viewer))
            .map(u -> Entry.of(Representations.user(u, false).toBuffer()))
            .recover(CachedReads::missingWhenNotFound))
        .map(e -> found(e, "user"));
  }

  /**
   * A post: its own fields from one entry and its author's id and name from another, joined as the API sends
   * them. A renamed author shows in every post at once, without finding each post.
   */
  Future<ApiResponse> post(long id, Long viewer) {
    return cache.get(CacheKey.post(id), () -> data.call(new Requests.GetPost(id, viewer))
            .map(p -> Entry.of(Representations.post(withoutAuthor(p)).toBuffer(), p.authorId()))
            .recover(CachedReads::missingWhenNotFound))
        .compose(post -> {
          if (!post.found()) {
            return Future.failedFuture(new ProblemException(Problem.notFound("post not found")));
          }
          return author(post.related())
              .map(ref -> new ApiResponse(200, splice(post.body(), ref), null, null, null));
        });
  }

  private Future<Buffer> author(long id) {
    return cache.get(CacheKey.userRef(id), () -> data.call(new Requests.GetUser(id, null))
            .map(u -> Entry.of(Representations.ref(new Model.UserRef(u.id(), u.name())).toBuffer()))
            .recover(CachedReads::missingWhenNotFound))
        .map(e -> e.found() ? e.body() : Representations.ref(new Model.UserRef(id, null)).toBuffer());
  }

  /** {@code {...post...}} + author -> {@code {...post...,"author":{...}}}: the field the API sends last. */
  private static Buffer splice(Buffer post, Buffer author) {
    return Buffer.buffer(post.length() + AUTHOR.length() + author.length())
        .appendBuffer(post, 0, post.length() - 1).appendBuffer(AUTHOR).appendBuffer(author).appendBuffer(CLOSE);
  }

  private static Model.Post withoutAuthor(Model.Post p) {
    return new Model.Post(p.id(), p.authorId(), p.text(), p.likeCount(), p.commentCount(), p.createdAt(), null);
  }

  private static ApiResponse found(Entry e, String what) {
    if (!e.found()) {
      throw new ProblemException(Problem.notFound(what + " not found"));
    }
    return ApiResponse.cached(e);
  }

  private static Future<Entry> missingWhenNotFound(Throwable err) {
    return err instanceof ProblemException pe && pe.problem().status() == 404
        ? Future.succeededFuture(Entry.missing()) : Future.failedFuture(err);
  }
}
