/**
 * The entry point: {@link io.spillway.Spillway} reads the config, makes the node's shared services and deploys
 * the verticles, and stops them gracefully. The packages below it are drawn in docs/architecture.md.
 */
package io.spillway;
