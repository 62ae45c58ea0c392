/**
 * The leaf every handler shares: the catalogue of problem types and how problems are written, route
 * templates, request ids, JSON bodies, ids and cursors, the request's {@link io.spillway.web.Caller}, and the
 * local event-bus codec. It imports no other Spillway package.
 */
package io.spillway.web;
