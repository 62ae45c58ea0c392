package io.spillway.push;

import io.spillway.auth.BearerAuth;
import io.spillway.auth.JwtTokens;
import io.spillway.auth.Principal;
import io.spillway.observe.AccessLog;
import io.spillway.web.Caller;
import io.spillway.web.Ids;
import io.spillway.web.Problem;
import io.spillway.web.ProblemType;
import io.spillway.web.Problems;
import io.vertx.core.Future;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/stream}: authenticates the upgrade and answers 401 before upgrading when it cannot. A browser,
 * which cannot set headers on a WebSocket, spends a single-use ticket ({@code ?ticket=}, from {@code POST
 * /v1/stream/ticket}); other clients may send {@code Authorization: Bearer}. A token in the query string is
 * refused: URLs end up in proxy logs. Each user and each address holds at most a configured number of open
 * sockets on the node (429 beyond). A socket lives no longer than its credential: at the token's expiry the
 * server closes it with 4401 unless the client sent a fresh token ({@code {"op":"auth"}}). The protocol itself
 * is {@link StreamSession}'s; see docs/realtime.md.
 */
public final class StreamEndpoint {
  private final JwtTokens tokens;
  private final StreamHub hub;
  private final StreamTickets tickets;
  private final ConnectionCaps caps;

  public StreamEndpoint(JwtTokens tokens, StreamHub hub, StreamTickets tickets) {
    this.tokens = tokens;
    this.hub = hub;
    this.tickets = tickets;
    this.caps = ConnectionCaps.shared(hub.vertx(), hub.config().maxConnectionsPerUser(),
        hub.config().maxConnectionsPerAddress());
  }

  /** Who the upgrade (or event stream) is for, and until when its credential holds (0: no expiry). */
  record Holder(long userId, long expiresAtMs) {}

  public void upgrade(RoutingContext ctx) {
    if (!ctx.request().headers().contains(HttpHeaders.UPGRADE, HttpHeaders.WEBSOCKET, true)) {
      Problems.send(ctx, Problem.badRequest("/v1/stream is a WebSocket endpoint: send an Upgrade: websocket request"));
      return;
    }
    Future<Holder> holder = credential(ctx);
    if (holder == null) {
      return;
    }
    ctx.request().pause();
    holder.onComplete(ar -> {
      ctx.request().resume();
      if (ar.failed()) {
        unauthorized(ctx, ar.cause().getMessage());
        return;
      }
      open(ctx, ar.result());
    });
  }

  /**
   * The credential of a stream request, WebSocket or event stream: a ticket, or a bearer token in the header;
   * never a token in the URL. Null when the request has been answered (401) already.
   */
  Future<Holder> credential(RoutingContext ctx) {
    if (ctx.request().getParam("access_token") != null) {
      unauthorized(ctx, "a token in the URL is refused (URLs end up in logs): get a ticket from POST /v1/stream/ticket "
          + "and connect with ?ticket=, or send Authorization: Bearer");
      return null;
    }
    String ticket = ctx.request().getParam("ticket");
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (ticket != null) {
      return tickets.redeem(ticket).compose(h -> h == null
          ? Future.failedFuture(new IllegalArgumentException("the ticket is unknown, spent or expired"))
          : Future.succeededFuture(new Holder(h.userId(), h.expiresAtMs())));
    }
    if (header != null && BearerAuth.tokenOf(header) != null) {
      return tokens.verify(BearerAuth.tokenOf(header)).compose(this::holder);
    }
    unauthorized(ctx, "a ticket (POST /v1/stream/ticket) or a bearer token is required");
    return null;
  }

  /** The per-user and per-address caps on open streams, shared by WebSockets and event streams. */
  ConnectionCaps caps() {
    return caps;
  }

  private Future<Holder> holder(Principal principal) {
    long user = Ids.parse(principal.subject());
    if (user < 0) {
      return Future.failedFuture(new IllegalArgumentException("the token's subject is not a user id"));
    }
    return Future.succeededFuture(new Holder(user, expiresAtMs(principal)));
  }

  /** When a token stops verifying: its {@code exp} plus the leeway. */
  long expiresAtMs(Principal principal) {
    return (principal.claims().getLong("exp") + tokens.leewaySeconds()) * 1000;
  }

  private void open(RoutingContext ctx, Holder holder) {
    String address = Caller.of(ctx).addressGroup();
    String over = caps.open(holder.userId(), address);
    if (over != null) {
      Problems.send(ctx, ProblemType.TOO_MANY_CONNECTIONS.with(over.equals("user")
          ? "you hold " + caps.perUser() + " open streams on this server, the most allowed; close one first"
          : "your address holds " + caps.perAddress() + " open streams on this server, the most allowed"));
      return;
    }
    HttpConnection connection = ctx.request().connection();
    ctx.request().toWebSocket()
        .onSuccess(ws -> {
          AccessLog.upgraded(ctx);
          forgetHandshake(ctx);
          new StreamSession(ws, FrameSink.of(ws, connection), holder.userId(), holder.expiresAtMs(), hub, hub.config(), this::reauthenticate,
              () -> caps.close(holder.userId(), address)).start();
        })
        .onFailure(err -> {
          caps.close(holder.userId(), address);
          ctx.fail(err);
        });
  }

  /**
   * Vert.x keeps a socket's handshake request and its response for as long as the socket lives, though their
   * headers (the bearer token among them) are done with once the socket is open: let them go. The response's
   * end handlers stay: they close the request's books when the socket closes (the in-flight gauge, the
   * request metrics), and the node's drain on shutdown waits for those books.
   */
  private static void forgetHandshake(RoutingContext ctx) {
    ctx.response().headers().clear();
    ctx.request().headers().clear();
  }

  /** A fresh token sent over an open socket ({@code {"op":"auth"}}): its new expiry, for the same user only. */
  private Future<Long> reauthenticate(long userId, String token) {
    if (token == null || token.isEmpty() || token.length() > BearerAuth.MAX_TOKEN_LENGTH) {
      return Future.failedFuture(new IllegalArgumentException("token is required"));
    }
    return tokens.verify(token).compose(p -> Ids.parse(p.subject()) == userId ? Future.succeededFuture(expiresAtMs(p))
        : Future.failedFuture(new IllegalArgumentException("the token is for another user")));
  }

  static void unauthorized(RoutingContext ctx, String reason) {
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"spillway\", error=\"invalid_token\"");
    Problems.send(ctx, Problem.unauthorized(reason));
  }
}
