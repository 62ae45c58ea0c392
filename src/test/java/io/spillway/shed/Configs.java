package io.spillway.shed;

import io.spillway.config.ShedConfig;
import io.spillway.testkit.ShippedConfig;
import io.vertx.core.json.JsonObject;

final class Configs {
  private Configs() {}

  /** The shipped {@code shed} section under {@code json}. */
  static ShedConfig shed(String json) {
    return ShedConfig.from(ShippedConfig.section("shed", new JsonObject(json)));
  }
}
