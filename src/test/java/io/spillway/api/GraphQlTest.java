package io.spillway.api;

import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.PgProxy;
import io.spillway.testkit.Scrape;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /graphql} on real services: answers that match REST, one batched query per shard per level (counted at
 * the PostgreSQL protocol by a proxy in front of each shard), the limits, auth and rate-limit cost.
 */
class GraphQlTest {
  private static final Vertx PROXIES = Vertx.vertx();
  private static final List<PgProxy> SHARDS = List.of(PgProxy.start(PROXIES), PgProxy.start(PROXIES));

  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka().configure(tree -> {
    JsonArray shards = tree.getJsonObject("data").getJsonArray("shards");
    for (int i = 0; i < shards.size(); i++) {
      shards.getJsonObject(i).put("port", SHARDS.get(i).port());
    }
    // One policy for GraphQL alone, so its cost can be read off the RateLimit header.
    tree.getJsonObject("limits").put("policies", new JsonArray().add(new JsonObject().put("name", "graphql")
        .put("algorithm", "token-bucket").put("rate", 0.01).put("burst", 1000).put("key", new JsonArray().add("client"))
        .put("routes", new JsonArray().add(new JsonObject().put("path", "/graphql/*")))));
  });

  private final ApiClient api = new ApiClient(app.client());

  @AfterAll
  static void stopProxies() {
    SHARDS.forEach(PgProxy::close);
    PROXIES.close();
  }

  private static final String FEED_QUERY = """
      { feed(first: 20) { items { id text author { id name bio } comments(first: 3) { items { text } } } } }""";

  @Test
  void twentyPostsWithAuthorsAndTheirLatestThreeCommentsCostOneQueryPerShardPerLevel() {
    ApiClient.User reader = api.newUser("gq-reader");
    List<ApiClient.User> authors = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ApiClient.User a = api.newUser("gq-author-" + i);
      api.call(HttpMethod.PATCH, "/v1/users/" + a.id(), a, new JsonObject().put("bio", "bio of " + i));
      api.call(HttpMethod.PUT, "/v1/users/" + a.id() + "/follow", reader, null);
      authors.add(a);
    }
    for (ApiClient.User a : authors) {
      for (int p = 0; p < 2; p++) {
        String postId = api.post(a, "post " + p + " by " + a.id()).getString("id");
        for (int c = 1; c <= 4; c++) {
          api.call(HttpMethod.POST, "/v1/posts/" + postId + "/comments", reader, new JsonObject().put("text", "c" + c));
        }
      }
    }
    Set<Integer> shardsWithPosts = new HashSet<>();

    int[] before = counts();
    HttpResponse<Buffer> rest = api.get("/v1/feed?limit=20", reader);
    assertEquals(200, rest.statusCode());
    int[] afterRest = counts();
    JsonObject data = graphql(reader, FEED_QUERY).getJsonObject("data");
    List<List<String>> ran = new ArrayList<>();
    for (int s = 0; s < SHARDS.size(); s++) {
      List<String> all = SHARDS.get(s).executed();
      ran.add(dataQueries(all.subList(afterRest[s], all.size())));
    }

    JsonArray items = data.getJsonObject("feed").getJsonArray("items");
    assertEquals(20, items.size());
    assertEquals(rest.bodyAsJsonObject().getJsonArray("items").stream().map(o -> ((JsonObject) o).getString("id")).toList(),
        items.stream().map(o -> ((JsonObject) o).getString("id")).toList(), "the same posts as REST, in its order");
    for (Object o : items) {
      JsonObject post = (JsonObject) o;
      JsonObject author = post.getJsonObject("author");
      assertEquals("bio of " + author.getString("name").substring("gq-author-".length()), author.getString("bio"));
      assertEquals(List.of("c4", "c3", "c2"), post.getJsonObject("comments").getJsonArray("items").stream()
          .map(c -> ((JsonObject) c).getString("text")).toList(), "the newest three, newest first");
      shardsWithPosts.add(shardOf(post.getString("id")));
    }

    int restQueries = 0;
    for (int s = 0; s < SHARDS.size(); s++) {
      List<String> all = SHARDS.get(s).executed();
      restQueries += dataQueries(all.subList(before[s], afterRest[s])).size();
    }
    int graphQlQueries = 0;
    for (int s = 0; s < SHARDS.size(); s++) {
      List<String> shard = ran.get(s);
      long users = shard.stream().filter(q -> q.contains("bio") && q.contains("FROM counted_users WHERE id ")).count();
      long comments = shard.stream().filter(q -> q.contains("FROM comments WHERE post_id = p.id")).count();
      boolean holdsPosts = shardsWithPosts.contains(s);
      assertEquals(holdsPosts ? 1 : 0, users, "authors of shard " + s + " in one query: " + shard);
      assertEquals(holdsPosts ? 1 : 0, comments, "comments of shard " + s + " in one query: " + shard);
      graphQlQueries += shard.size();
    }
    assertTrue(shardsWithPosts.size() == 2, "the data spans both shards");
    assertEquals(restQueries + 2 * shardsWithPosts.size(), graphQlQueries,
        "the feed as REST reads it, then one query per shard for the authors and one for the comments: " + ran);
  }

  /**
   * The statements a request runs: not the node's background work (the outbox backlog watch, the follow repair
   * sweep, the shard map's version poll and the shard mover's) nor health pings, which run on their own timers.
   */
  private static List<String> dataQueries(List<String> sql) {
    return sql.stream().filter(q -> !q.contains("outbox") && !q.contains("follow_sync")
        && !q.contains("shard_map") && !q.contains("shard_moves") && !q.contains("advisory_lock")
        && !q.trim().equalsIgnoreCase("SELECT 1")).toList();
  }

  private static int[] counts() {
    return SHARDS.stream().mapToInt(p -> p.executed().size()).toArray();
  }

  /** The physical shard of an id: its logical shard (bits 10..22) over two shards in even ranges. */
  private static int shardOf(String id) {
    long logical = (Long.parseLong(id) >> 10) & 0x1FFF;
    return logical < app.config().data().logicalShards() / 2 ? 0 : 1;
  }

  @Test
  void queriesAndMutationsAnswerAsRestDoes() {
    ApiClient.User ada = api.newUser("gq-ada");
    ApiClient.User bob = api.newUser("gq-bob");
    JsonObject created = graphql(ada, "mutation { createPost(text: \"from graphql\") { id text author { id name } stats { likes } } }")
        .getJsonObject("data").getJsonObject("createPost");
    String postId = created.getString("id");
    assertEquals(new JsonObject().put("id", ada.id()).put("name", "gq-ada"), created.getJsonObject("author"));
    assertEquals("from graphql", api.get("/v1/posts/" + postId, null).bodyAsJsonObject().getString("text"));
    JsonObject like = graphql(bob, "mutation($p: ID!) { like(postId: $p) { postId liked likes } }",
        new JsonObject().put("p", postId)).getJsonObject("data").getJsonObject("like");
    assertEquals(new JsonObject().put("postId", postId).put("liked", true).put("likes", 1), like);
    graphql(bob, "mutation { createComment(postId: \"" + postId + "\", text: \"nice\") { id author { name } } }");
    graphql(bob, "mutation { follow(userId: \"" + ada.id() + "\") { following } }");
    JsonObject post = graphql(bob, "{ post(id: \"" + postId + "\") { likedByMe stats { likes comments } "
        + "comments { items { text author { name } } next } author { stats { posts followers } } } }")
        .getJsonObject("data").getJsonObject("post");
    assertTrue(post.getBoolean("likedByMe"));
    assertEquals(new JsonObject().put("likes", 1).put("comments", 1), post.getJsonObject("stats"));
    assertEquals("gq-bob", post.getJsonObject("comments").getJsonArray("items").getJsonObject(0)
        .getJsonObject("author").getString("name"));
    assertNull(post.getJsonObject("comments").getString("next"));
    JsonObject rest = api.get("/v2/users/" + ada.id(), null).bodyAsJsonObject().getJsonObject("stats");
    assertEquals(rest.getInteger("posts"), post.getJsonObject("author").getJsonObject("stats").getInteger("posts"));
    assertEquals(1, post.getJsonObject("author").getJsonObject("stats").getInteger("followers"));
    assertFalse(graphql(null, "{ post(id: \"" + postId + "\") { likedByMe } }").getJsonObject("data")
        .getJsonObject("post").getBoolean("likedByMe"), "anonymous: false");
    JsonObject me = graphql(bob, "{ me { name following { items { user { name } } } } }").getJsonObject("data");
    assertEquals("gq-ada", me.getJsonObject("me").getJsonObject("following").getJsonArray("items").getJsonObject(0)
        .getJsonObject("user").getString("name"));
    JsonObject missing = graphql(null, "{ user(id: \"" + (Long.parseLong(ada.id()) + 1) + "\") { name } }");
    assertNull(missing.getJsonObject("data").getValue("user"));
  }

  @Test
  void limitsAuthAndBadQueriesAreRefusedClearly() {
    ApiClient.User u = api.newUser("gq-limits");
    String nested = "name";
    for (int i = 0; i < 4; i++) {
      nested = "following { items { user { " + nested + " } } }";
    }
    HttpResponse<Buffer> deep = send(u, "{ me { " + nested + " } }", null);
    assertEquals(400, deep.statusCode());
    assertEquals("QUERY_TOO_DEEP", code(deep), deep.bodyAsString());
    HttpResponse<Buffer> complex = send(u, "{ feed(first: 100) { items { comments(first: 100) { items { text } } } } }", null);
    assertEquals(400, complex.statusCode());
    assertEquals("QUERY_TOO_COMPLEX", code(complex));
    assertTrue(complex.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("message")
        .contains("10201"), complex.bodyAsString());
    HttpResponse<Buffer> syntax = send(u, "{ me { name ", null);
    assertEquals(400, syntax.statusCode());
    HttpResponse<Buffer> unknown = send(u, "{ me { password } }", null);
    assertEquals(400, unknown.statusCode());
    assertTrue(unknown.bodyAsString().contains("password"), unknown.bodyAsString());
    JsonObject anonymousWrite = send(null, "mutation { createPost(text: \"x\") { id } }", null).bodyAsJsonObject();
    assertEquals("UNAUTHORIZED", anonymousWrite.getJsonArray("errors").getJsonObject(0).getJsonObject("extensions")
        .getString("code"));
    HttpResponse<Buffer> viaGet = Await.result(app.client().get("/graphql")
        .addQueryParam("query", "mutation { createPost(text: \"x\") { id } }")
        .putHeader("Authorization", "Bearer " + u.token()).send());
    assertEquals(405, viaGet.statusCode());
    HttpResponse<Buffer> badToken = Await.result(app.client().post("/graphql").putHeader("Authorization", "Bearer nope")
        .sendJsonObject(new JsonObject().put("query", "{ me { name } }")));
    assertEquals(401, badToken.statusCode());
    assertEquals("application/problem+json", badToken.getHeader("Content-Type"));
    HttpResponse<Buffer> get = Await.result(app.client().get("/graphql").addQueryParam("query", "{ me { name } }")
        .putHeader("Authorization", "Bearer " + u.token()).send());
    assertEquals("gq-limits", get.bodyAsJsonObject().getJsonObject("data").getJsonObject("me").getString("name"));
  }

  @Test
  void aQueryWeighsItsComplexityAgainstTheRateLimitsAndIsNamedForSheddingAndMetrics() {
    ApiClient.User u = api.newUser("gq-cost");
    HttpResponse<Buffer> cheap = send(u, "{ me { name } }", null);
    assertEquals("1", cheap.getHeader("Spillway-Query-Complexity"));
    assertEquals("\"graphql\";r=999;t=100", cheap.getHeader("RateLimit"));
    HttpResponse<Buffer> feed = send(u, FEED_QUERY, null);
    assertEquals(200, feed.statusCode(), feed.bodyAsString());
    assertEquals("121", feed.getHeader("Spillway-Query-Complexity"), "1 page + 20 posts + 20 authors + 20 pages + 60 comments");
    assertEquals("\"graphql\";r=986;t=1400", feed.getHeader("RateLimit"), "13 units: ceil(121 / 10)");
    send(u, "mutation { createPost(text: \"counted\") { id } }", null);
    Scrape metrics = Scrape.of(app.client(), app.managementPort());
    assertTrue(metrics.has("vertx_http_server_requests_total", "route=\"/graphql/query\""));
    assertTrue(metrics.has("vertx_http_server_requests_total", "route=\"/graphql/mutation\""));
  }

  private static String code(HttpResponse<Buffer> r) {
    return r.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getJsonObject("extensions").getString("code");
  }

  private static JsonObject graphql(ApiClient.User as, String query) {
    return graphql(as, query, null);
  }

  private static JsonObject graphql(ApiClient.User as, String query, JsonObject variables) {
    HttpResponse<Buffer> r = send(as, query, variables);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject body = r.bodyAsJsonObject();
    if (body.getJsonArray("errors") != null) {
      throw new AssertionError("errors: " + body.encodePrettily());
    }
    return body;
  }

  private static HttpResponse<Buffer> send(ApiClient.User as, String query, JsonObject variables) {
    HttpRequest<Buffer> req = app.client().post("/graphql");
    if (as != null) {
      req.putHeader("Authorization", "Bearer " + as.token());
    }
    JsonObject body = new JsonObject().put("query", query);
    if (variables != null) {
      body.put("variables", variables);
    }
    return Await.result(req.sendJsonObject(body));
  }
}
