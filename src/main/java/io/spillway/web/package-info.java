/**
 * The leaf every handler shares: the catalogue of problem types and how problems are written, route
 * templates, request ids, JSON bodies, ids and cursors, the request's {@link io.spillway.web.Caller}, the
 * local event-bus codec, and the batching of what one event-loop turn sends
 * ({@link io.spillway.web.TurnBatches}). It imports no other Spillway package.
 */
package io.spillway.web;
