/**
 * The committed-event stream's contract, shared by the writers (data, outbox) and the readers (push): channels,
 * event types, the Kafka topic and the client settings of every Kafka client the node makes.
 */
package io.spillway.events;
