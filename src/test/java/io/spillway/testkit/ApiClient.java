package io.spillway.testkit;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.util.concurrent.atomic.AtomicInteger;

/** The REST API as a test user sees it: sign up, log in, call with a bearer token. */
public final class ApiClient {
  private static final AtomicInteger SEQ = new AtomicInteger();
  private final WebClient client;

  public ApiClient(WebClient client) {
    this.client = client;
  }

  /** A signed-up, logged-in user. */
  public record User(String id, String email, String token) {}

  public User newUser(String name) {
    String email = name.toLowerCase() + "-" + SEQ.incrementAndGet() + "-" + System.nanoTime() + "@example.com";
    HttpResponse<Buffer> created = Await.result(send(HttpMethod.POST, "/v1/users", null,
        new JsonObject().put("email", email).put("name", name).put("password", "password-" + name)));
    if (created.statusCode() != 201) {
      throw new AssertionError("sign-up failed: " + created.statusCode() + " " + created.bodyAsString());
    }
    String id = created.bodyAsJsonObject().getString("id");
    HttpResponse<Buffer> token = Await.result(send(HttpMethod.POST, "/v1/auth/token", null,
        new JsonObject().put("email", email).put("password", "password-" + name)));
    return new User(id, email, token.bodyAsJsonObject().getString("access_token"));
  }

  public Future<HttpResponse<Buffer>> send(HttpMethod method, String path, User as, JsonObject body) {
    HttpRequest<Buffer> req = client.request(method, path);
    if (as != null) {
      req.putHeader("Authorization", "Bearer " + as.token());
    }
    return body == null ? req.send() : req.sendJsonObject(body);
  }

  public HttpResponse<Buffer> call(HttpMethod method, String path, User as, JsonObject body) {
    return Await.result(send(method, path, as, body));
  }

  public HttpResponse<Buffer> get(String path, User as) {
    return call(HttpMethod.GET, path, as, null);
  }

  public JsonObject post(User as, String text) {
    HttpResponse<Buffer> r = call(HttpMethod.POST, "/v1/posts", as, new JsonObject().put("text", text));
    if (r.statusCode() != 201) {
      throw new AssertionError("post failed: " + r.statusCode() + " " + r.bodyAsString());
    }
    return r.bodyAsJsonObject();
  }

  public WebClient web() {
    return client;
  }
}
