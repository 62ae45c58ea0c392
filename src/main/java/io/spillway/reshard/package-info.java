/**
 * Moving a logical shard to another database while the API serves it: the move's record and phases (snapshot
 * copy, change replay, a write fence for that logical shard only, the map flip), the leader that runs moves,
 * and the admin operations the management port calls over the event bus. Below the API, beside the outbox:
 * it knows the data layer's pools and map, nothing of HTTP. docs/resharding.md has the procedure.
 */
package io.spillway.reshard;
