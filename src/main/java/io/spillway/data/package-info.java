/**
 * The sharded PostgreSQL data layer: the shard map and router, pools, migrations, one store per aggregate, the
 * typed request protocol ({@link io.spillway.data.DataRequest}) and the verticle that serves it, and the
 * client the rest of the node calls it with. No HTTP here.
 */
package io.spillway.data;
