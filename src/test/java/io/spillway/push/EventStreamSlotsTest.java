package io.spillway.push;

import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Open event streams hold no load-shedding slot: with a limit of 2, three streams leave room for requests. */
class EventStreamSlotsTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka().configure(tree -> tree.put("shed", new JsonObject()
      .put("algorithm", "fixed").put("initialLimit", 2).put("minLimit", 1).put("maxLimit", 2).put("eventLoopLagMs", 0)
      .put("maxQueueMs", 10)));

  @Test
  void openStreamsLeaveTheLimitToRequests() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User me = api.newUser("slots");
    HttpClient client = app.clientVertx().createHttpClient();
    List<HttpClientResponse> streams = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
            .setPort(app.port()).setURI("/v1/stream/sse?channels=user:" + me.id())
            .addHeader("Authorization", "Bearer " + me.token());
        HttpClientResponse stream = Await.result(client.request(options).compose(req -> req.send()));
        assertEquals(200, stream.statusCode());
        streams.add(stream);
      }
      for (int i = 0; i < 5; i++) {
        assertEquals(200, api.get("/v1/users/" + me.id(), null).statusCode(), "request " + i + " beside 3 streams");
      }
    } finally {
      client.close();
    }
  }
}
