package io.spillway.testkit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Reads a topic from its start, as any consumer of the cluster would see its records. */
public final class TopicRecords {
  private TopicRecords() {}

  /** The first record of {@code topic} keyed {@code key}, waiting for it up to {@code timeout}. */
  public static ConsumerRecord<String, String> first(String bootstrapServers, String topic, String key,
                                                     Duration timeout) {
    Map<String, Object> config = Map.of("bootstrap.servers", bootstrapServers, "enable.auto.commit", false,
        "key.deserializer", StringDeserializer.class, "value.deserializer", StringDeserializer.class);
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map((PartitionInfo p) -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          if (key.equals(record.key())) {
            return record;
          }
        }
      }
      throw new AssertionError("no record keyed " + key + " in " + topic + " within " + timeout);
    }
  }
}
