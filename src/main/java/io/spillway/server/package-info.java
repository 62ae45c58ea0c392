/**
 * The node's HTTP servers and their wiring: the router chain (request id, trace, door, access log, shedding,
 * auth, limits, handlers), the management port and its admin endpoints. The only package that knows every
 * other.
 */
package io.spillway.server;
