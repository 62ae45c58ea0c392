package io.spillway.api;

import io.spillway.data.ShardRouter;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.ShardDb;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rows land on the shard their id names, in different databases. */
class ShardingTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka();

  @Test
  void usersAndTheirRowsAreSpreadOverBothShardDatabases() {
    ApiClient api = new ApiClient(app.client());
    ShardRouter router = new ShardRouter(app.config().data());
    List<ApiClient.User> users = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      users.add(api.newUser("sharded" + i));
    }
    Set<Integer> physicalShards = new HashSet<>();
    try (ShardDb s0 = new ShardDb(app.databases().get(0)); ShardDb s1 = new ShardDb(app.databases().get(1))) {
      ShardDb[] dbs = {s0, s1};
      for (ApiClient.User u : users) {
        long id = Long.parseLong(u.id());
        int physical = router.physicalOfId(id);
        physicalShards.add(physical);
        assertEquals(1, dbs[physical].count("SELECT count(*) FROM users WHERE id = $1", id), "user on its shard");
        assertEquals(0, dbs[1 - physical].count("SELECT count(*) FROM users WHERE id = $1", id), "and nowhere else");
        assertEquals(1, dbs[physical].count("SELECT count(*) FROM email_directory WHERE user_id = $1", id));
        assertEquals(router.logicalForKey(u.email()), ShardRouter.logicalOf(id), "placed by the email's hash");

        JsonObject post = api.post(u, "hello from " + u.id());
        long postId = Long.parseLong(post.getString("id"));
        assertEquals(ShardRouter.logicalOf(id), ShardRouter.logicalOf(postId), "a post lives with its author");
        assertEquals(1, dbs[physical].count("SELECT count(*) FROM posts WHERE id = $1 AND author_id = $2", postId, id));
      }
    }
    assertEquals(Set.of(0, 1), physicalShards, "16 users should reach both shards");
  }

  @Test
  void idsAreTimeOrderedAndStrings() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User u = api.newUser("ordered");
    long previous = 0;
    for (int i = 0; i < 5; i++) {
      String id = api.post(u, "post " + i).getString("id");
      assertTrue(Long.parseLong(id) > previous, "ids grow with time");
      previous = Long.parseLong(id);
    }
  }
}
