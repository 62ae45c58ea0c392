package io.spillway.limit;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The one Lua script every evaluation runs: the prelude, each algorithm's file and the driver, joined.
 * Called with EVALSHA (the SHA is computed here, so no round trip is needed to learn it); when Redis answers
 * NOSCRIPT (restarted, flushed, a new Cluster node) the call is repeated once with EVAL, which runs the body
 * and caches it on that node, so the next EVALSHA hits again.
 */
final class LimitScript {
  static final List<String> FILES = List.of("prelude", "token-bucket", "gcra", "fixed-window",
      "sliding-window-log", "sliding-window-counter", "quota", "evaluate");

  private final String body;
  private final String sha;

  private LimitScript(String body) {
    this.body = body;
    this.sha = sha1(body);
  }

  static LimitScript evaluate() {
    return new LimitScript(source(FILES));
  }

  /** A script of the given resource files (without {@code .lua}), joined in order. */
  static String source(List<String> files) {
    StringBuilder out = new StringBuilder();
    for (String f : files) {
      String path = "/lua/" + f + ".lua";
      try (InputStream in = LimitScript.class.getResourceAsStream(path)) {
        if (in == null) {
          throw new IllegalStateException("missing resource " + path);
        }
        out.append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out.toString();
  }

  String sha() {
    return sha;
  }

  Future<Void> load(Redis redis) {
    return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(body)).mapEmpty();
  }

  Future<Response> run(Redis redis, List<String> keys, List<String> args) {
    return redis.send(request(Command.EVALSHA, sha, keys, args)).recover(failure -> {
      if (failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT")) {
        return redis.send(request(Command.EVAL, body, keys, args));
      }
      return Future.failedFuture(failure);
    });
  }

  private static Request request(Command command, String script, List<String> keys, List<String> args) {
    Request r = Request.cmd(command).arg(script).arg(keys.size());
    for (String k : keys) {
      r.arg(k);
    }
    for (String a : args) {
      r.arg(a);
    }
    return r;
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
