package io.spillway.shed;

import io.spillway.config.ConfigReader;
import io.spillway.config.ShedConfig;
import io.vertx.core.json.JsonObject;

final class Configs {
  private Configs() {}

  static ShedConfig shed(String json) {
    return ShedConfig.from(new ConfigReader(new JsonObject(json), "shed"));
  }
}
