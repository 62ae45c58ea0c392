/**
 * Real-time push: consumes the event stream from Kafka, keeps each channel's recent history in Redis for resume,
 * and delivers events to the WebSocket and Server-Sent Events sessions that follow each channel.
 */
package io.spillway.push;
