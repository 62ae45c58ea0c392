/**
 * Load shedding: request priorities, the adaptive concurrency limit, a short queue, event-loop lag as an
 * overload signal and the per-client in-flight cap. It reads the caller from {@code web}.
 */
package io.spillway.shed;
