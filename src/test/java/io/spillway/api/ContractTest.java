package io.spillway.api;

import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAPI contract and the running server agree: every operation in it is mounted, every mounted route is in
 * it (a node refuses to start otherwise), it is served, and real responses, successes and problems, in both
 * versions, match its response schemas.
 */
class ContractTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka();

  private static ApiContract contract;
  private static ResponseValidator responses;
  private static ApiClient api;

  @BeforeAll
  static void load() {
    contract = Await.result(ApiContract.load(app.clientVertx()));
    responses = ResponseValidator.create(app.clientVertx(), contract.contract());
    api = new ApiClient(app.client());
  }

  @Test
  void everyOperationInTheContractIsMountedOnTheRunningNode() {
    List<String> missing = new ArrayList<>();
    for (Operation op : contract.contract().operations()) {
      String path = op.getOpenAPIPath().replace("{id}", "1");
      HttpResponse<Buffer> r = Await.result(app.client().request(op.getHttpMethod(), path).send());
      JsonObject body = r.getHeader("Content-Type") != null && r.getHeader("Content-Type").contains("json")
          && r.body() != null ? r.bodyAsJsonObject() : null;
      boolean unrouted = r.statusCode() == 405
          || (r.statusCode() == 404 && body != null && String.valueOf(body.getString("detail")).startsWith("no resource at"));
      if (unrouted) {
        missing.add(op.getHttpMethod() + " " + op.getOpenAPIPath() + " -> " + r.statusCode());
      }
    }
    assertEquals(List.of(), missing, "operations the node does not route");
    assertTrue(contract.contract().operations().size() >= 51, "both versions, the streams, GraphQL and the meta routes: " + contract.contract().operations().size());
  }

  @Test
  void aRouteTheContractLacksOrAnOperationNobodyMountedIsReported() {
    Router complete = routerOf(null);
    assertEquals(List.of(), contract.differences(complete), "the contract's own routes agree with it");
    Router drifted = routerOf("v2GetPost");
    drifted.get("/v1/secret-admin").handler(ctx -> ctx.end());
    drifted.get("/docs/*").handler(ctx -> ctx.end());
    assertEquals(List.of("mounted but not in openapi.yaml: GET /v1/secret-admin",
        "in openapi.yaml but not mounted: GET /v2/posts/{id}"), contract.differences(drifted));
  }

  /** A router with a route for every operation of the contract but {@code except}. */
  private static Router routerOf(String except) {
    Router router = Router.router(app.clientVertx());
    for (Operation op : contract.contract().operations()) {
      if (!op.getOperationId().equals(except)) {
        router.route(op.getHttpMethod(), op.getOpenAPIPath().replace("{id}", ":id")).handler(ctx -> ctx.end());
      }
    }
    return router;
  }

  @Test
  void theContractIsServedAsYamlAndJsonAndTheDocsPageLoadsItsAssetsFromThisServer() {
    HttpResponse<Buffer> yaml = api.get("/openapi.yaml", null);
    assertEquals(200, yaml.statusCode());
    assertTrue(yaml.getHeader("Content-Type").startsWith("application/yaml"));
    assertTrue(yaml.bodyAsString().startsWith("openapi: 3.1.0"));
    HttpResponse<Buffer> json = api.get("/openapi.json", null);
    assertEquals("3.1.0", json.bodyAsJsonObject().getString("openapi"));
    assertEquals(contract.tree(), json.bodyAsJsonObject(), "the JSON is the same document");
    HttpResponse<Buffer> docs = api.get("/docs", null);
    assertEquals(200, docs.statusCode());
    assertTrue(docs.bodyAsString().contains("/openapi.json"));
    assertTrue(!docs.bodyAsString().contains("//"), "no asset from another site: " + docs.bodyAsString());
    HttpResponse<Buffer> bundle = api.get("/docs/swagger-ui-bundle.js", null);
    assertEquals(200, bundle.statusCode());
    assertTrue(bundle.body().length() > 100_000);
  }

  @Test
  void realResponsesOfBothVersionsMatchTheResponseSchemas() {
    Map<String, Integer> checked = new TreeMap<>();
    for (String v : List.of("v1", "v2")) {
      ApiClient.User ada = api.newUser("ada" + v);
      ApiClient.User bob = api.newUser("bob" + v);
      String p = "/" + v;
      check(checked, v + "CreateUser", call(HttpMethod.POST, p + "/users", null, new JsonObject()
          .put("email", v + "-contract-" + System.nanoTime() + "@example.com").put("name", "C").put("password", "password-c")));
      check(checked, v + "CreateToken", call(HttpMethod.POST, p + "/auth/token", null,
          new JsonObject().put("email", ada.email()).put("password", "password-ada" + v)));
      check(checked, v + "GetUser", call(HttpMethod.GET, p + "/users/" + ada.id(), null, null));
      check(checked, v + "GetUser", call(HttpMethod.GET, p + "/users/" + ada.id(), ada, null));
      check(checked, v + "UpdateUser", call(HttpMethod.PATCH, p + "/users/" + ada.id(), ada, new JsonObject().put("bio", "hi")));
      HttpResponse<Buffer> post = call(HttpMethod.POST, p + "/posts", ada, new JsonObject().put("text", "contract"));
      check(checked, v + "CreatePost", post);
      String postId = post.bodyAsJsonObject().getString("id");
      check(checked, v + "GetPost", call(HttpMethod.GET, p + "/posts/" + postId, null, null));
      check(checked, v + "CreateComment", call(HttpMethod.POST, p + "/posts/" + postId + "/comments", bob,
          new JsonObject().put("text", "nice")));
      check(checked, v + "ListComments", call(HttpMethod.GET, p + "/posts/" + postId + "/comments?limit=5", null, null));
      check(checked, v + "Like", call(HttpMethod.PUT, p + "/posts/" + postId + "/like", bob, null));
      check(checked, v + "Unlike", call(HttpMethod.DELETE, p + "/posts/" + postId + "/like", bob, null));
      check(checked, v + "Follow", call(HttpMethod.PUT, p + "/users/" + ada.id() + "/follow", bob, null));
      check(checked, v + "ListFollowers", call(HttpMethod.GET, p + "/users/" + ada.id() + "/followers", null, null));
      check(checked, v + "ListFollowing", call(HttpMethod.GET, p + "/users/" + bob.id() + "/following", null, null));
      check(checked, v + "ListUserPosts", call(HttpMethod.GET, p + "/users/" + ada.id() + "/posts?limit=1", null, null));
      check(checked, v + "ReadFeed", call(HttpMethod.GET, p + "/feed", bob, null));
      check(checked, v + "Unfollow", call(HttpMethod.DELETE, p + "/users/" + ada.id() + "/follow", bob, null));
      HttpResponse<Buffer> key = call(HttpMethod.POST, p + "/api-keys", ada, new JsonObject().put("name", "ci"));
      check(checked, v + "CreateApiKey", key);
      check(checked, v + "ListApiKeys", call(HttpMethod.GET, p + "/api-keys", ada, null));
      check(checked, v + "GetUsage", call(HttpMethod.GET, p + "/usage", ada, null));
      check(checked, v + "RevokeApiKey", call(HttpMethod.DELETE, p + "/api-keys/" + key.bodyAsJsonObject().getString("id"), ada, null));
      check(checked, v + "DeletePost", call(HttpMethod.DELETE, p + "/posts/" + postId, ada, null));
      // Problems are part of the contract too.
      check(checked, v + "GetPost", expect(404, call(HttpMethod.GET, p + "/posts/" + postId, null, null)));
      check(checked, v + "GetUser", expect(400, call(HttpMethod.GET, p + "/users/abc", null, null)));
      check(checked, v + "CreatePost", expect(401, call(HttpMethod.POST, p + "/posts", null, new JsonObject().put("text", "x"))));
      check(checked, v + "CreatePost", expect(400, call(HttpMethod.POST, p + "/posts", ada, new JsonObject().put("text", ""))));
      check(checked, v + "UpdateUser", expect(403, call(HttpMethod.PATCH, p + "/users/" + ada.id(), bob,
          new JsonObject().put("name", "x"))));
    }
    check(checked, "healthLive", call(HttpMethod.GET, "/health/live", null, null));
    assertTrue(checked.size() >= 46, "responses checked: " + checked);
  }

  private static HttpResponse<Buffer> expect(int status, HttpResponse<Buffer> r) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    return r;
  }

  private static HttpResponse<Buffer> call(HttpMethod method, String path, ApiClient.User as, JsonObject body) {
    HttpRequest<Buffer> req = app.client().request(method, path);
    if (as != null) {
      req.putHeader("Authorization", "Bearer " + as.token());
    }
    return Await.result(body == null ? req.send() : req.sendJsonObject(body));
  }

  /** Validates a real response against the operation's response schema for its status. */
  private static void check(Map<String, Integer> checked, String operationId, HttpResponse<Buffer> r) {
    assertTrue(r.statusCode() < 500, operationId + ": " + r.statusCode() + " " + r.bodyAsString());
    String type = r.getHeader("Content-Type");
    // The validator's copy of the contract names JSON media types by their parser (see ApiContract).
    String parsedAs = type == null ? null : type.contains("json") ? "application/json" : type;
    ValidatableResponse response = r.body() == null || r.body().length() == 0
        ? ValidatableResponse.create(r.statusCode())
        : ValidatableResponse.create(r.statusCode(), r.body(), parsedAs);
    try {
      Future<?> validated = responses.validate(response, operationId);
      validated.await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(operationId + " answered " + r.statusCode() + " " + r.bodyAsString()
          + "\nwhich does not match the contract: " + e.getMessage(), e);
    }
    checked.merge(operationId + " " + r.statusCode(), 1, Integer::sum);
  }
}
