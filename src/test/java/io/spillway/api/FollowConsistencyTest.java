package io.spillway.api;

import io.spillway.data.ShardRouter;
import io.spillway.testkit.ApiClient;
import io.spillway.testkit.Await;
import io.spillway.testkit.ShardDb;
import io.spillway.testkit.SpillwayApp;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A follow spans two shards. When the followee's shard fails the second half, the follow is still recorded
 * and answered, and the followers side is repaired once the shard takes writes again; a burst of follows and unfollows of one pair, racing,
 * ends with both sides agreeing (and the counters with them).
 */
class FollowConsistencyTest {
  @RegisterExtension
  static SpillwayApp app = SpillwayApp.create().withoutKafka();

  @Test
  void aFollowWhoseSecondHalfFailsIsCompletedLater() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User[] pair = pairOnTwoShards(api);
    ApiClient.User follower = pair[0];
    ApiClient.User followee = pair[1];
    try (ShardDb other = new ShardDb(app.databases().get(shardOf(followee)))) {
      // The followee's shard refuses the followers row, as a shard that went away between the two halves.
      other.query("CREATE FUNCTION refuse_followers() RETURNS trigger AS $$ BEGIN "
          + "RAISE EXCEPTION 'injected: the followee shard is gone'; END $$ LANGUAGE plpgsql");
      other.query("CREATE TRIGGER refuse_followers BEFORE INSERT ON followers FOR EACH ROW "
          + "EXECUTE FUNCTION refuse_followers()");
      HttpResponse<Buffer> r;
      try {
        r = api.call(HttpMethod.PUT, "/v1/users/" + followee.id() + "/follow", follower, null);
        assertEquals(200, r.statusCode(), "the follow is recorded on the follower's shard: " + r.bodyAsString());
        assertEquals(1, following(follower, followee));
        assertEquals(0, followers(follower, followee), "the second half failed");
        assertEquals(1, pending(follower), "and is waiting to be repaired");
      } finally {
        other.query("DROP TRIGGER refuse_followers ON followers");
      }
    }
    Await.until("the followers side repaired", Duration.ofSeconds(20), () -> followers(follower, followee) == 1);
    Await.until("nothing left to sync", Duration.ofSeconds(20), () -> pending(follower) == 0);
    assertAgree(follower, followee);
  }

  @Test
  void racingFollowsAndUnfollowsLeaveBothSidesAgreeing() {
    ApiClient api = new ApiClient(app.client());
    ApiClient.User[] pair = pairOnTwoShards(api);
    ApiClient.User follower = pair[0];
    ApiClient.User followee = pair[1];
    for (int round = 0; round < 5; round++) {
      List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        all.add(api.send(i % 2 == 0 ? HttpMethod.PUT : HttpMethod.DELETE, "/v1/users/" + followee.id() + "/follow",
            follower, null));
      }
      for (Future<HttpResponse<Buffer>> f : all) {
        assertEquals(200, Await.result(f).statusCode());
      }
    }
    Await.until("nothing left to sync", Duration.ofSeconds(20), () -> pending(follower) == 0);
    assertAgree(follower, followee);
  }

  private void assertAgree(ApiClient.User follower, ApiClient.User followee) {
    long truth = following(follower, followee);
    assertEquals(truth, followers(follower, followee), "both shards agree on the follow");
    try (ShardDb a = new ShardDb(app.databases().get(shardOf(follower)));
         ShardDb b = new ShardDb(app.databases().get(shardOf(followee)))) {
      assertEquals(truth, a.count("SELECT following_count FROM counted_users WHERE id = $1", Long.parseLong(follower.id())));
      assertEquals(truth, b.count("SELECT follower_count FROM counted_users WHERE id = $1", Long.parseLong(followee.id())));
    }
  }

  private ApiClient.User[] pairOnTwoShards(ApiClient api) {
    ApiClient.User first = api.newUser("pair");
    while (true) {
      ApiClient.User other = api.newUser("pair");
      if (shardOf(other) != shardOf(first)) {
        return new ApiClient.User[] {first, other};
      }
    }
  }

  private int shardOf(ApiClient.User u) {
    return new ShardRouter(app.config().data()).physicalOfId(Long.parseLong(u.id()));
  }

  private long following(ApiClient.User follower, ApiClient.User followee) {
    try (ShardDb db = new ShardDb(app.databases().get(shardOf(follower)))) {
      return db.count("SELECT count(*) FROM following WHERE follower_id = $1 AND followee_id = $2",
          Long.parseLong(follower.id()), Long.parseLong(followee.id()));
    }
  }

  private long followers(ApiClient.User follower, ApiClient.User followee) {
    try (ShardDb db = new ShardDb(app.databases().get(shardOf(followee)))) {
      return db.count("SELECT count(*) FROM followers WHERE followee_id = $1 AND follower_id = $2",
          Long.parseLong(followee.id()), Long.parseLong(follower.id()));
    }
  }

  private long pending(ApiClient.User follower) {
    try (ShardDb db = new ShardDb(app.databases().get(shardOf(follower)))) {
      return db.count("SELECT count(*) FROM follow_sync WHERE follower_id = $1", Long.parseLong(follower.id()));
    }
  }
}
