/**
 * Metrics, tracing, health checks and the access log: what an operator reads to see the node.
 */
package io.spillway.observe;
