package io.spillway.server;

import io.spillway.config.AppConfig;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * {@code java -jar spillway.jar shards [-conf FILE] status | move LOGICAL TO | cancel LOGICAL | cleanup LOGICAL}:
 * the shard admin routes ({@link ShardAdmin}) from a shell, sent to the management port and with the admin
 * token of the same configuration a node of this deployment reads. Prints the answer; exit code 0 when it
 * was a success, 1 when the server refused or could not be reached, 2 for a command it does not know.
 */
public final class ShardCommand {
  static final String USAGE = "usage: spillway shards [-conf FILE] status | move LOGICAL TO | cancel LOGICAL | "
      + "cleanup LOGICAL   (TO: a database's index in data.shards, or its name)";

  private ShardCommand() {}

  /** Runs the command in {@code args} (without the leading {@code shards} and {@code -conf FILE}). */
  public static int run(AppConfig config, List<String> args, PrintStream out, PrintStream err) {
    HttpRequest.Builder request = request(config, args);
    if (request == null) {
      err.println(USAGE);
      return 2;
    }
    try {
      HttpResponse<String> answer = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
          .send(request.header("Authorization", "Bearer " + config.management().adminToken()).build(),
              HttpResponse.BodyHandlers.ofString());
      boolean ok = answer.statusCode() / 100 == 2;
      (ok ? out : err).println(answer.statusCode() + " " + answer.body());
      return ok ? 0 : 1;
    } catch (IOException e) {
      err.println("spillway shards: the management port did not answer: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  private static HttpRequest.Builder request(AppConfig config, List<String> args) {
    if (args.isEmpty()) {
      return null;
    }
    String host = config.management().host();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      host = "127.0.0.1";
    }
    String base = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + config.management().port()
        + "/admin/shards";
    // The server checks the logical shard and the database; only the shape of the command is checked here.
    return switch (args.get(0)) {
      case "status" -> args.size() == 1 ? HttpRequest.newBuilder(URI.create(base)).GET() : null;
      case "move" -> args.size() == 3 ? HttpRequest.newBuilder(URI.create(base + "/" + path(args.get(1)) + "/move"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("to", target(args.get(2))).encode())) : null;
      case "cancel" -> args.size() == 2
          ? HttpRequest.newBuilder(URI.create(base + "/" + path(args.get(1)) + "/move")).DELETE() : null;
      case "cleanup" -> args.size() == 2
          ? HttpRequest.newBuilder(URI.create(base + "/" + path(args.get(1)) + "/cleanup"))
              .POST(HttpRequest.BodyPublishers.noBody()) : null;
      default -> null;
    };
  }

  /** A database index as a number, anything else as a name. */
  private static Object target(String to) {
    return to.matches("[0-9]{1,9}") ? (Object) Integer.valueOf(to) : to;
  }

  /** The logical shard as a path segment: anything but digits is sent as is, percent-encoded, and refused there. */
  private static String path(String logical) {
    return URLEncoder.encode(logical, StandardCharsets.UTF_8);
  }
}
