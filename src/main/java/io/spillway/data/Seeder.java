package io.spillway.data;

import io.spillway.bus.LocalCodec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
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
  private static final DeliveryOptions SEND = LocalCodec.options(60_000);
  private static final int CONCURRENCY = 32;
  private static final int POSTS_PER_USER = 5;
  private static final int FOLLOWS_PER_USER = 20;

  private final Vertx vertx;

  public Seeder(Vertx vertx) {
    this.vertx = vertx;
    LocalCodec.register(vertx);
  }

  public static String email(int i) {
    return "seed-" + i + "@example.com";
  }

  /** Seeds {@code users} users; {@code passwordHash} is the hash every seeded user gets. */
  public Future<Void> seed(int users, String passwordHash) {
    long t0 = System.nanoTime();
    List<Long> ids = new ArrayList<>();
    return inBatches(users, i -> send(new Requests.CreateUser(email(i), "Seed User " + i, passwordHash))
            .recover(err -> err instanceof ReplyException re && re.failureCode() == 409
                ? send(new Requests.FindCredentials(email(i))).map(c -> ((Model.Credentials) c).userId())
                : Future.failedFuture(err))
            .map(r -> r instanceof Model.User u ? u.id() : (Long) r)
            .onSuccess(id -> {
              synchronized (ids) {
                ids.add(id);
              }
            }))
        .compose(v -> inBatches(users * POSTS_PER_USER, i -> send(new Requests.CreatePost(ids.get(i % ids.size()),
            "Seed post " + i / ids.size() + " by user " + i % ids.size()))))
        .compose(v -> inBatches(users * Math.min(FOLLOWS_PER_USER, users - 1), i -> {
          long follower = ids.get(i % ids.size());
          long followee = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
          return follower == followee ? Future.succeededFuture()
              : send(new Requests.SetFollow(follower, followee, true));
        }))
        .onSuccess(v -> LOG.info("seeded {} users with {} posts each in {} ms", users, POSTS_PER_USER,
            (System.nanoTime() - t0) / 1_000_000));
  }

  private Future<Object> send(Object request) {
    return vertx.eventBus().request(Requests.address(request.getClass()), request, SEND).map(m -> m.body());
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
