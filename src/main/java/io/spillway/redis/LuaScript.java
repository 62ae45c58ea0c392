package io.spillway.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
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
import java.util.function.Function;

/**
 * A Lua script run by EVALSHA: the body is sent once per Redis node, not with every call. The SHA is
 * computed here, so no round trip is needed to learn it; when Redis answers NOSCRIPT (restarted, flushed, a
 * new Cluster node) the call is repeated once with EVAL, which runs the body and caches it there.
 */
public final class LuaScript {
  private final String body;
  private final String sha;

  public LuaScript(String body) {
    this.body = body;
    this.sha = sha1(body);
  }

  /** A script of the given classpath resources ({@code /lua/<name>.lua}), joined in order. */
  public static LuaScript ofResources(List<String> names) {
    StringBuilder out = new StringBuilder();
    for (String f : names) {
      String path = "/lua/" + f + ".lua";
      try (InputStream in = LuaScript.class.getResourceAsStream(path)) {
        if (in == null) {
          throw new IllegalStateException("missing resource " + path);
        }
        out.append(new String(in.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new LuaScript(out.toString());
  }

  public String sha() {
    return sha;
  }

  public String body() {
    return body;
  }

  /** Loads the body (SCRIPT LOAD) so the first calls do not need the NOSCRIPT round trip. */
  public Future<Void> load(Function<Request, Future<Response>> redis) {
    return redis.apply(Request.cmd(Command.SCRIPT).arg("LOAD").arg(body)).mapEmpty();
  }

  /** Runs the script with {@code keys} and {@code args} through {@code redis} (a client or one connection). */
  public Future<Response> run(Function<Request, Future<Response>> redis, List<String> keys, List<?> args) {
    return redis.apply(request(Command.EVALSHA, sha, keys, args)).recover(failure -> {
      if (failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT")) {
        return redis.apply(request(Command.EVAL, body, keys, args));
      }
      return Future.failedFuture(failure);
    });
  }

  private static Request request(Command command, String script, List<String> keys, List<?> args) {
    Request r = Request.cmd(command).arg(script).arg(keys.size());
    for (String k : keys) {
      r.arg(k);
    }
    for (Object a : args) {
      r.arg(String.valueOf(a));
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
