package io.spillway.events;

import io.spillway.config.KafkaConfig;
import io.vertx.core.Future;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.List;
import java.util.Map;

/**
 * Creates the events topic when it does not exist yet: {@code kafka.partitions} partitions, {@code
 * kafka.replicationFactor} replicas, {@code min.insync.replicas} from {@code kafka.minInSyncReplicas}, unclean
 * leader election off. An existing topic is left as it is.
 */
public final class Topics {
  private Topics() {}

  public static Future<Void> ensure(KafkaAdminClient admin, KafkaConfig kafka) {
    return admin.listTopics().compose(names -> names.contains(kafka.topic()) ? Future.<Void>succeededFuture()
        : admin.createTopics(List.of(new NewTopic(kafka.topic(), kafka.partitions(), kafka.replicationFactor())
                .setConfig(Map.of(
                    // With acks=all, a write is acknowledged once this many replicas have it.
                    "min.insync.replicas", Integer.toString(kafka.minInSyncReplicas()),
                    // A replica that missed writes never becomes leader: no acknowledged event is dropped.
                    "unclean.leader.election.enable", "false"))))
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
