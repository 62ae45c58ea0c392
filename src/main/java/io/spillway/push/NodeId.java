package io.spillway.push;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

import java.util.UUID;

/**
 * A random id for this node (this Vertx instance), made once and shared by its verticles: it names the
 * node's Kafka consumer group, which must differ per node so that every node sees every event.
 */
final class NodeId {
  private NodeId() {}

  static String of(Vertx vertx) {
    LocalMap<String, String> map = vertx.sharedData().getLocalMap("spillway.node");
    String fresh = UUID.randomUUID().toString().substring(0, 13).replace("-", "");
    String existing = map.putIfAbsent("id", fresh);
    return existing == null ? fresh : existing;
  }
}
