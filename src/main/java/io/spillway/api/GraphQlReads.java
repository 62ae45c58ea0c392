package io.spillway.api;

import io.spillway.api.graphql.GraphQlData;
import io.spillway.cache.CacheKey;
import io.spillway.cache.Entry;
import io.spillway.cache.ReadCache;
import io.spillway.data.DataClient;
import io.spillway.data.Model;
import io.spillway.data.Requests;
import io.spillway.web.Ids;
import io.spillway.web.Problem;
import io.spillway.web.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The GraphQL resolvers' data: users and posts through the same read cache as REST (the same entries, in the
 * same bytes), with the misses of one batch read together (one query per shard); lists and writes through the
 * data layer as REST does them, writes dropping the same cache entries.
 */
final class GraphQlReads implements GraphQlData {
  private final DataClient data;
  private final ReadCache cache;
  private final CachedReads reads;

  GraphQlReads(DataClient data, ReadCache cache, CachedReads reads) {
    this.data = data;
    this.cache = cache;
    this.reads = reads;
  }

  @Override
  public Future<Map<Long, JsonObject>> users(Set<Long> ids, Long viewer) {
    return cached(ids, CacheKey::user,
        missing -> data.call(Requests.GetUsers.of(List.copyOf(missing), viewer)).map(found -> {
          Map<Long, Entry> out = new HashMap<>();
          found.forEach((id, u) -> out.put(id, Entry.of(Representations.user(u, false).toBuffer())));
          return out;
        }))
        .map(entries -> {
          Map<Long, JsonObject> out = new HashMap<>();
          entries.forEach((id, e) -> out.put(id, V2Representations.user(new JsonObject(e.body()))));
          return out;
        });
  }

  @Override
  public Future<Map<Long, JsonObject>> posts(Set<Long> ids, Long viewer) {
    return cached(ids, CacheKey::post,
        missing -> data.call(Requests.GetPosts.of(List.copyOf(missing), viewer)).map(found -> {
          Map<Long, Entry> out = new HashMap<>();
          found.forEach((id, p) -> out.put(id, Entry.of(Representations.post(p).toBuffer(), p.authorId())));
          return out;
        }))
        .compose(entries -> {
          // The author's name, as a post shows it: from the author's cached reference.
          List<Future<JsonObject>> posts = new ArrayList<>();
          entries.forEach((id, e) -> posts.add(reads.authorRef(e.related())
              .map(ref -> V2Representations.post(new JsonObject(e.body()).put("author", new JsonObject(ref))))));
          return Future.all(posts).map(v -> {
            Map<Long, JsonObject> out = new HashMap<>();
            posts.forEach(f -> out.put(Long.parseLong(f.result().getString("id")), f.result()));
            return out;
          });
        });
  }

  /**
   * Entries for {@code ids} from the read cache; the ones neither memory nor Redis has are loaded by one call of
   * {@code load} once every lookup has answered, and cached as single reads would cache them.
   */
  private Future<Map<Long, Entry>> cached(Set<Long> ids, java.util.function.LongFunction<CacheKey> key,
                                          Function<Set<Long>, Future<Map<Long, Entry>>> load) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    MissBatch batch = new MissBatch(ids.size(), load);
    Map<Long, Future<Entry>> lookups = new HashMap<>();
    for (long id : ids) {
      Future<Entry> lookup = cache.get(key.apply(id), () -> batch.miss(id));
      lookups.put(id, lookup);
      lookup.onComplete(ar -> batch.answered(id));
    }
    return Future.join(new ArrayList<>(lookups.values())).transform(ignored -> {
      Map<Long, Entry> out = new HashMap<>();
      for (Map.Entry<Long, Future<Entry>> e : lookups.entrySet()) {
        if (e.getValue().failed()) {
          return Future.failedFuture(e.getValue().cause());
        }
        if (e.getValue().result().found()) {
          out.put(e.getKey(), e.getValue().result());
        }
      }
      return Future.succeededFuture(out);
    });
  }

  /** The misses of one batch: loaded together once every key has either been found or been missed. */
  private static final class MissBatch {
    private final Function<Set<Long>, Future<Map<Long, Entry>>> load;
    private final Map<Long, Promise<Entry>> misses = new HashMap<>();
    private int undecided;
    private boolean fired;

    MissBatch(int size, Function<Set<Long>, Future<Map<Long, Entry>>> load) {
      this.undecided = size;
      this.load = load;
    }

    synchronized Future<Entry> miss(long id) {
      Promise<Entry> p = Promise.promise();
      misses.put(id, p);
      decided();
      return p.future();
    }

    /** A lookup answered: a hit (or a load another request ran) decides its key; a miss was decided already. */
    synchronized void answered(long id) {
      if (!misses.containsKey(id)) {
        decided();
      }
    }

    private void decided() {
      if (--undecided > 0 || fired) {
        return;
      }
      fired = true;
      if (misses.isEmpty()) {
        return;
      }
      Map<Long, Promise<Entry>> waiting = Map.copyOf(misses);
      load.apply(waiting.keySet()).onComplete(ar -> waiting.forEach((id, p) -> {
        if (ar.failed()) {
          p.fail(ar.cause());
        } else {
          Entry e = ar.result().get(id);
          p.complete(e == null ? Entry.missing() : e);
        }
      }));
    }
  }

  @Override
  public Future<Map<Long, Page>> latestComments(Set<Long> postIds, int first, Long viewer) {
    // One more than asked for tells whether there is a next page. The authors' names are not read here: the
    // Comment.author resolver loads the authors a query asks for with the other users of its level.
    return data.call(new Requests.LatestComments(List.copyOf(postIds), first + 1, viewer)).map(found -> {
      Map<Long, Page> out = new HashMap<>();
      found.forEach((postId, list) -> {
        List<JsonObject> items = new ArrayList<>();
        for (int i = 0; i < Math.min(first, list.size()); i++) {
          items.add(comment(list.get(i), Map.of()));
        }
        String next = list.size() > first ? Ids.cursor(list.get(first - 1).id()) : null;
        out.put(postId, new Page(items, next));
      });
      return out;
    });
  }

  /** Authors' names from their cached references (the entries posts are served with). */
  private Future<Map<Long, String>> refs(Set<Long> ids) {
    List<Future<Buffer>> lookups = new ArrayList<>();
    List<Long> order = new ArrayList<>(ids);
    order.forEach(id -> lookups.add(reads.authorRef(id)));
    return Future.all(lookups).map(v -> {
      Map<Long, String> out = new HashMap<>();
      for (int i = 0; i < order.size(); i++) {
        out.put(order.get(i), new JsonObject(lookups.get(i).result()).getString("name"));
      }
      return out;
    });
  }

  private static JsonObject comment(Model.Comment c, Map<Long, String> names) {
    Model.Comment named = new Model.Comment(c.id(), c.postId(), c.authorId(), c.text(), c.createdAt(),
        new Model.UserRef(c.authorId(), names.get(c.authorId())));
    return V2Representations.comment(Representations.comment(named));
  }

  @Override
  public Future<Set<Long>> liked(long viewer, Set<Long> postIds) {
    return data.call(new Requests.LikedPosts(viewer, List.copyOf(postIds))).map(Set::copyOf);
  }

  @Override
  public Future<Page> userPosts(long userId, String after, int first, Long viewer) {
    return cursorOf(after).compose(before -> data.call(new Requests.ListUserPosts(userId, before, first, viewer)))
        .map(p -> page(p, post -> V2Representations.post(Representations.post(post))));
  }

  @Override
  public Future<Page> feed(long viewer, String after, int first) {
    return cursorOf(after).compose(before -> data.call(new Requests.ReadFeed(viewer, before, first)))
        .map(p -> page(p, post -> V2Representations.post(Representations.post(post))));
  }

  @Override
  public Future<Page> comments(long postId, String after, int first, Long viewer) {
    return cursorOf(after).compose(before -> data.call(new Requests.ListComments(postId, before, first, viewer)))
        .map(p -> page(p, c -> V2Representations.comment(Representations.comment(c))));
  }

  @Override
  public Future<Page> follows(long userId, boolean followers, String after, int first, Long viewer) {
    return cursorOf(after).compose(before -> data.call(new Requests.ListFollows(userId, followers, before, first, viewer)))
        .map(p -> page(p, f -> V2Representations.follow(Representations.follow(f))));
  }

  @Override
  public Future<JsonObject> createPost(long author, String text) {
    return data.call(new Requests.CreatePost(author, text))
        .compose(p -> cache.wrote(CacheKey.user(author)).map(V2Representations.post(Representations.post(p))));
  }

  @Override
  public Future<JsonObject> createComment(long author, long postId, String text) {
    return data.call(new Requests.CreateComment(postId, author, text))
        .compose(c -> cache.wrote(CacheKey.post(postId))
            .compose(v -> refs(Set.of(author)))
            .map(names -> comment(c, names)));
  }

  @Override
  public Future<JsonObject> like(long user, long postId, boolean liked) {
    return data.call(new Requests.SetLike(postId, user, liked))
        .compose(l -> cache.wrote(CacheKey.post(postId)).map(new JsonObject()
            .put("postId", Ids.format(l.postId())).put("liked", l.liked()).put("likes", l.likeCount())));
  }

  @Override
  public Future<JsonObject> follow(long follower, long followee, boolean follow) {
    return data.call(new Requests.SetFollow(follower, followee, follow))
        .compose(f -> cache.wrote(CacheKey.user(follower), CacheKey.user(followee))
            .map(new JsonObject().put("userId", Ids.format(followee)).put("following", f.following())));
  }

  private static Future<Long> cursorOf(String after) {
    if (after == null) {
      return Future.succeededFuture(Long.MAX_VALUE);
    }
    long id = Ids.parseCursor(after);
    return id < 0 ? Future.failedFuture(new ProblemException(Problem.invalidField("after",
        "is not a cursor from a previous page"))) : Future.succeededFuture(id);
  }

  private static <T> Page page(Model.Page<T> page, Function<T, JsonObject> item) {
    return new Page(page.items().stream().map(item).toList(), page.next() == null ? null : Ids.cursor(page.next()));
  }
}
