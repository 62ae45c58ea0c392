/**
 * The transactional outbox's relay: moves committed outbox rows from every shard to Kafka, woken by NOTIFY
 * and by polling, one relay per shard across the cluster.
 */
package io.spillway.outbox;
