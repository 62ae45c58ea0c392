package io.spillway.push;

import io.spillway.events.Channel;
import io.spillway.web.Caller;
import io.spillway.web.Ids;
import io.spillway.web.LongLived;
import io.spillway.web.Problem;
import io.spillway.web.ProblemType;
import io.spillway.web.Problems;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code GET /v1/stream/sse?channels=posts:42,user:7}: the live events as Server-Sent Events (see {@link
 * SseSession} and docs/realtime.md). Authenticated as the WebSocket is ({@code Authorization: Bearer}, or a
 * single-use {@code ?ticket=} since {@code EventSource} cannot set headers; never a token in the URL), under the
 * same caps on open streams per user and per address, and ended when its credential expires. A private channel
 * of another user is a 403, a malformed channel, too many channels or a malformed {@code Last-Event-ID} a 400,
 * all before the stream opens.
 */
public final class EventStreamEndpoint {
  static final int MAX_CHANNELS_PARAM = 8192;
  static final int MAX_EVENT_ID = 4096;
  private final StreamEndpoint streams;
  private final StreamHub hub;

  public EventStreamEndpoint(StreamEndpoint streams, StreamHub hub) {
    this.streams = streams;
    this.hub = hub;
  }

  public void open(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (!acceptsEventStream(request.getHeader(HttpHeaders.ACCEPT))) {
      Problems.send(ctx, ProblemType.NOT_ACCEPTABLE.with(
          "/v1/stream/sse answers text/event-stream only, which Accept does not allow"));
      return;
    }
    Future<StreamEndpoint.Holder> credential = streams.credential(ctx);
    if (credential == null) {
      return;
    }
    request.pause();
    credential.onComplete(ar -> {
      request.resume();
      if (ar.failed()) {
        StreamEndpoint.unauthorized(ctx, ar.cause().getMessage());
      } else {
        start(ctx, ar.result());
      }
    });
  }

  private void start(RoutingContext ctx, StreamEndpoint.Holder holder) {
    long user = holder.userId();
    String raw = ctx.request().getParam("channels");
    if (raw == null || raw.isBlank()) {
      Problems.send(ctx, Problem.invalidField("channels", "is required: a comma-separated list of channels"));
      return;
    }
    if (raw.length() > MAX_CHANNELS_PARAM) {
      Problems.send(ctx, Problem.invalidField("channels", "is longer than " + MAX_CHANNELS_PARAM + " characters"));
      return;
    }
    List<String> channels = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String part : raw.split(",", -1)) {
      String name = part.trim();
      Channel channel = Channel.parse(name);
      if (channel == null) {
        Problems.send(ctx, Problem.invalidField("channels", "unknown channel '"
            + (name.length() <= 64 ? name : name.substring(0, 64) + "...")
            + "'; channels are posts:{userId}, post:{postId} and user:{yourId}"));
        return;
      }
      if (!channel.readableBy(user)) {
        Problems.send(ctx, Problem.forbidden(name + " is private to that user"));
        return;
      }
      if (!seen.add(channel.name())) {
        Problems.send(ctx, Problem.invalidField("channels", channel.name() + " is listed twice"));
        return;
      }
      channels.add(channel.name());
    }
    int max = hub.config().maxSubscriptions();
    if (channels.size() > max) {
      Problems.send(ctx, Problem.invalidField("channels", "at most " + max + " channels per connection, got "
          + channels.size()));
      return;
    }
    String lastEventId = ctx.request().getHeader("Last-Event-ID");
    String field = "Last-Event-ID";
    if (lastEventId == null) {
      lastEventId = ctx.request().getParam("lastEventId");
      field = "lastEventId";
    }
    long[] since = since(lastEventId, channels.size());
    if (since == null) {
      Problems.send(ctx, Problem.invalidField(field, "must be the id of an event of this stream: one offset per "
          + "channel, in the order of channels, comma-separated"));
      return;
    }
    String address = Caller.of(ctx).addressGroup();
    String over = streams.caps().open(user, address);
    if (over != null) {
      Problems.send(ctx, ProblemType.TOO_MANY_CONNECTIONS.with(over.equals("user")
          ? "you hold " + streams.caps().perUser() + " open streams on this server, the most allowed; close one first"
          : "your address holds " + streams.caps().perAddress() + " open streams on this server, the most allowed"));
      return;
    }
    // A stream from here on: the shedder's slot goes back, as for a WebSocket.
    LongLived.started(ctx);
    SseSession session = new SseSession(ctx.response(), hub, channels, since, holder.expiresAtMs(),
        () -> streams.caps().close(user, address));
    ctx.request().connection().shutdownHandler(v -> session.shutdown());
    session.start();
  }

  /** Per channel: the offset to resume after, or {@link SseSession#UNKNOWN}; null when {@code id} is malformed. */
  static long[] since(String id, int channels) {
    long[] since = new long[channels];
    java.util.Arrays.fill(since, SseSession.UNKNOWN);
    if (id == null || id.isEmpty()) {
      return since;
    }
    if (id.length() > MAX_EVENT_ID) {
      return null;
    }
    String[] parts = id.split(",", -1);
    if (parts.length != channels) {
      return null;
    }
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i].trim();
      if (p.isEmpty()) {
        continue;
      }
      if (p.equals("-1")) {
        since[i] = -1;
        continue;
      }
      long offset = p.length() > 19 ? -1 : Ids.parse(p);
      if (offset < 0 && !p.equals("0")) {
        return null;
      }
      since[i] = Math.max(offset, 0);
    }
    return since;
  }

  /** True when {@code accept} allows {@code text/event-stream} (the only thing this endpoint sends). */
  public static boolean acceptsEventStream(String accept) {
    if (accept == null || accept.isBlank()) {
      return true;
    }
    for (String range : accept.toLowerCase(java.util.Locale.ROOT).split(",")) {
      String[] parts = range.split(";");
      String type = parts[0].trim();
      boolean refused = false;
      for (int i = 1; i < parts.length; i++) {
        refused |= parts[i].trim().replace(" ", "").matches("q=0(\\.0*)?");
      }
      if (!refused && (type.equals("text/event-stream") || type.equals("text/*") || type.equals("*/*"))) {
        return true;
      }
    }
    return false;
  }
}
