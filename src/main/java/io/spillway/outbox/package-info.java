/**
 * The transactional outbox's relay: moves committed outbox rows from every shard to Kafka, woken in-process
 * by the node's own writes, by other nodes' coalesced notifications and by polling, one relay per shard across
 * the cluster.
 */
package io.spillway.outbox;
