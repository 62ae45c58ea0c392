package io.spillway.bench;

import io.spillway.api.ApiContract;
import io.spillway.web.Ids;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * CPU per request of validating requests against the OpenAPI contract with vertx-openapi, next to the
 * hand-written checks the API uses, in one thread: what `bench/validation.sh` runs (see docs/api.md).
 * Prints one line per case: {@code case ns/op}. Arguments: seconds per case (default 5), rounds (default 3).
 */
public final class ValidationCost {
  private ValidationCost() {}

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Vertx vertx = Vertx.vertx();
    try {
      ApiContract contract = ApiContract.load(vertx).await(30, TimeUnit.SECONDS);
      RequestValidator validator = RequestValidator.create(vertx, contract.contract());
      Map<String, RequestParameter> id = Map.of("id", new RequestParameterImpl("505606714880910337"));
      ValidatableRequest getUser = new ValidatableRequestImpl(Map.of(), Map.of(), id, Map.of());
      ValidatableRequest listPosts = new ValidatableRequestImpl(Map.of(), Map.of(), id,
          Map.of("limit", new RequestParameterImpl("20"), "cursor", new RequestParameterImpl("YzE6NTA1NjA2NzE4MDAx")));
      ValidatableRequest createPost = new ValidatableRequestImpl(Map.of(), Map.of(), Map.of(), Map.of(),
          new RequestParameterImpl(new JsonObject().put("text", "benchmark post: the quick brown fox").toBuffer()),
          "application/json");
      for (int r = 1; r <= rounds; r++) {
        report(r, "contract GET /v1/users/{id}", seconds, () -> validator.validate(getUser, "v1GetUser").result());
        report(r, "hand GET /v1/users/{id}", seconds, () -> Ids.parse("505606714880910337"));
        report(r, "contract GET /v1/users/{id}/posts?limit&cursor", seconds,
            () -> validator.validate(listPosts, "v1ListUserPosts").result());
        report(r, "hand GET /v1/users/{id}/posts?limit&cursor", seconds,
            () -> Ids.parse("505606714880910337") + Integer.parseInt("20") + Ids.parseCursor("YzE6NTA1NjA2NzE4MDAx"));
        report(r, "contract POST /v1/posts", seconds, () -> validator.validate(createPost, "v1CreatePost").result());
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static Object sink;

  private static void report(int round, String name, double seconds, java.util.function.Supplier<Object> op) {
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    long n = 0;
    long start = System.nanoTime();
    while ((n & 1023) != 0 || System.nanoTime() < deadline) {
      sink = op.get();
      n++;
    }
    double ns = (System.nanoTime() - start) / (double) n;
    System.out.printf("round %d\t%-48s\t%10.0f ns/op\t(%d ops)%n", round, name, ns, n);
  }
}
