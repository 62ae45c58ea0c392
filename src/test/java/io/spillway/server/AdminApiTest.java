package io.spillway.server;

import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Collections;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The management port as someone who reaches it sees it: metrics are open, admin calls need the token. */
class AdminApiTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka()
      // The management host as shipped: the test config would otherwise name 127.0.0.1 itself.
      .configure(tree -> tree.getJsonObject("management").remove("host"));

  private static HttpResponse<Buffer> put(String path, String token, JsonObject body) {
    var req = app.client().put(app.managementPort(), "127.0.0.1", path);
    if (token != null) {
      req.putHeader("Authorization", "Bearer " + token);
    }
    return Await.result(req.sendJsonObject(body));
  }

  private static JsonObject shippedLimits() {
    return app.configTree().getJsonObject("limits");
  }

  @Test
  void anAdminCallWithoutTheTokenChangesNothing() {
    JsonObject everythingOff = new JsonObject().put("enabled", false);
    HttpResponse<Buffer> none = put("/admin/limits?allowUnlimited=true", null, everythingOff);
    assertEquals(401, none.statusCode(), none.bodyAsString());
    assertTrue(none.getHeader("WWW-Authenticate").startsWith("Bearer"));
    assertEquals("application/problem+json", none.getHeader("Content-Type"));
    HttpResponse<Buffer> wrong = put("/admin/limits?allowUnlimited=true", SpillwayApp.ADMIN_TOKEN + "x", everythingOff);
    assertEquals(401, wrong.statusCode(), wrong.bodyAsString());
    HttpResponse<Buffer> prefix = put("/admin/limits?allowUnlimited=true", SpillwayApp.ADMIN_TOKEN.substring(0, 10),
        everythingOff);
    assertEquals(401, prefix.statusCode(), prefix.bodyAsString());
    assertTrue(app.node().limiter().config().enabled(), "the limits are still on");

    HttpResponse<Buffer> ok = put("/admin/limits", SpillwayApp.ADMIN_TOKEN, shippedLimits());
    assertEquals(200, ok.statusCode(), ok.bodyAsString());
  }

  @Test
  void anUpdateThatLeavesNoPolicyInForceMustSaySo() {
    try {
      for (JsonObject unlimited : new JsonObject[] {new JsonObject().put("policies", new JsonArray()),
          new JsonObject().put("enabled", false)}) {
        HttpResponse<Buffer> refused = put("/admin/limits", SpillwayApp.ADMIN_TOKEN, unlimited);
        assertEquals(400, refused.statusCode(), refused.bodyAsString());
        assertTrue(refused.bodyAsJsonObject().getString("detail").contains("allowUnlimited=true"), refused.bodyAsString());
        assertEquals(shippedLimits().getJsonArray("policies").size(), app.node().limiter().config().policies().size(),
            "the running limits stay");
        assertTrue(app.node().limiter().config().enabled());
      }
      HttpResponse<Buffer> meant = put("/admin/limits?allowUnlimited=true", SpillwayApp.ADMIN_TOKEN,
          new JsonObject().put("policies", new JsonArray()));
      assertEquals(200, meant.statusCode(), meant.bodyAsString());
      assertEquals(0, app.node().limiter().config().policies().size());
    } finally {
      assertEquals(200, put("/admin/limits", SpillwayApp.ADMIN_TOKEN, shippedLimits()).statusCode());
    }
  }

  @Test
  void anUpdateIsValidatedAsAtStartAndCannotTrustEveryAddress() {
    HttpResponse<Buffer> everyone = put("/admin/limits", SpillwayApp.ADMIN_TOKEN, shippedLimits().copy()
        .put("trustedProxies", new JsonArray().add("0.0.0.0/0")));
    assertEquals(400, everyone.statusCode(), everyone.bodyAsString());
    assertTrue(everyone.bodyAsJsonObject().getString("detail").contains("limits.trustedProxies[0]"), everyone.bodyAsString());
    HttpResponse<Buffer> bad = put("/admin/limits", SpillwayApp.ADMIN_TOKEN, new JsonObject().put("expectedNodes", 0));
    assertEquals(400, bad.statusCode(), bad.bodyAsString());
    assertTrue(bad.bodyAsJsonObject().getString("detail").contains("limits.expectedNodes"), bad.bodyAsString());
  }

  @Test
  void metricsAndHealthNeedNoToken() {
    assertEquals(200, Await.result(app.client().get(app.managementPort(), "127.0.0.1", "/metrics").send()).statusCode());
    assertEquals(200, Await.result(app.client().get(app.managementPort(), "127.0.0.1", "/health/live").send()).statusCode());
  }

  @Test
  void theManagementPortListensOnTheLoopbackAddressOnly() throws Exception {
    assertEquals("127.0.0.1", app.config().management().host());
    assertEquals(200, Await.result(app.client().get(app.managementPort(), "127.0.0.1", "/health/live").send()).statusCode());
    String external = externalAddress();
    if (external != null) {
      NetClient net = app.clientVertx().createNetClient(new NetClientOptions().setConnectTimeout(2000));
      Exception refused = assertThrows(Exception.class,
          () -> net.connect(app.managementPort(), external).await(10, TimeUnit.SECONDS).close(),
          "the management port answered on " + external);
      assertTrue(String.valueOf(refused.getMessage()).toLowerCase().contains("refused"), String.valueOf(refused));
    }
  }

  @Test
  void theUserFacingPortHasNoAdminApi() {
    ApiClient api = new ApiClient(app.client());
    HttpResponse<Buffer> r = Await.result(app.client().put("/admin/limits")
        .putHeader("Authorization", "Bearer " + SpillwayApp.ADMIN_TOKEN).sendJsonObject(shippedLimits()));
    assertEquals(404, r.statusCode(), r.bodyAsString());
    assertEquals(200, api.get("/health/live", null).statusCode());
  }

  /** A non-loopback IPv4 address of this machine, or null when it has none. */
  private static String externalAddress() throws Exception {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
          return a.getHostAddress();
        }
      }
    }
    return null;
  }
}
