package io.spillway.events;

import io.spillway.config.KafkaConfig;
import io.vertx.core.Future;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.List;

/** Creates the events topic with {@code kafka.partitions} partitions when it does not exist yet. */
public final class Topics {
  private Topics() {}

  public static Future<Void> ensure(KafkaAdminClient admin, KafkaConfig kafka) {
    return admin.listTopics().compose(names -> names.contains(kafka.topic()) ? Future.<Void>succeededFuture()
        : admin.createTopics(List.of(new NewTopic(kafka.topic(), kafka.partitions(), kafka.replicationFactor())))
            // Another node created it between our list and our create: that is what we wanted.
            .recover(err -> isTopicExists(err) ? Future.succeededFuture() : Future.failedFuture(err)));
  }

  private static boolean isTopicExists(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof TopicExistsException) {
        return true;
      }
    }
    return false;
  }
}
