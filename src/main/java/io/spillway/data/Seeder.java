package io.spillway.data;

import io.spillway.web.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;

/**
 * Demo and benchmark data ({@code --seed N}): N users {@code seed-<i>@example.com} with password {@code
 * seed-password}, 5 posts each, each following 20 others. Runs through the data layer, a bounded number of
 * operations at a time; users that already exist are kept, so seeding twice is harmless.
 */
public final class Seeder {
  public static final String PASSWORD = "seed-password";
  private static final Logger LOG = LoggerFactory.getLogger(Seeder.class);
  private static final int CONCURRENCY = 32;
  private static final int POSTS_PER_USER = 5;
  private static final int FOLLOWS_PER_USER = 20;

  private final DataClient data;

  public Seeder(Vertx vertx) {
    this.data = new DataClient(vertx, null);
  }

  public static String email(int i) {
    return "seed-" + i + "@example.com";
  }

  /** Seeds {@code users} users; {@code passwordHash} is the hash every seeded user gets. */
  public Future<Void> seed(int users, String passwordHash) {
    long t0 = System.nanoTime();
    List<Long> ids = new ArrayList<>();
    return inBatches(users, i -> data.call(new Requests.CreateUser(email(i), "Seed User " + i, passwordHash))
            .map(Model.User::id)
            .recover(err -> ProblemException.hasStatus(err, 409)
                ? data.call(new Requests.FindCredentials(email(i))).map(Model.Credentials::userId)
                : Future.failedFuture(err))
            .onSuccess(id -> {
              synchronized (ids) {
                ids.add(id);
              }
            }))
        .compose(v -> inBatches(users * POSTS_PER_USER, i -> data.call(new Requests.CreatePost(ids.get(i % ids.size()),
            "Seed post " + i / ids.size() + " by user " + i % ids.size()))))
        .compose(v -> inBatches(users * Math.min(FOLLOWS_PER_USER, users - 1), i -> {
          long follower = ids.get(i % ids.size());
          long followee = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
          return follower == followee ? Future.succeededFuture()
              : data.call(new Requests.SetFollow(follower, followee, true));
        }))
        .onSuccess(v -> LOG.info("seeded {} users with {} posts each in {} ms", users, POSTS_PER_USER,
            (System.nanoTime() - t0) / 1_000_000));
  }

  /** Runs {@code count} operations with at most {@link #CONCURRENCY} in flight. */
  private Future<Void> inBatches(int count, IntFunction<Future<?>> op) {
    Future<Void> chain = Future.succeededFuture();
    for (int start = 0; start < count; start += CONCURRENCY) {
      int from = start;
      chain = chain.compose(v -> {
        List<Future<?>> batch = new ArrayList<>();
        for (int i = from; i < Math.min(from + CONCURRENCY, count); i++) {
          batch.add(op.apply(i));
        }
        return Future.all(batch).mapEmpty();
      });
    }
    return chain;
  }
}
