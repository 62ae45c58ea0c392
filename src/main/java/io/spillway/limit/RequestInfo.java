package io.spillway.limit;

/**
 * What the limiter needs to know about one request. {@code route} is the matched template ({@code
 * /v1/users/:id}), {@code path} the raw path; {@code clientIp} is already resolved (see {@link ClientAddress});
 * {@code user}, {@code apiKey} and {@code plan} are null when the request has none. {@code units} multiplies the
 * cost each policy gives the route: 1 for a REST request, more for a GraphQL query that asks for more.
 */
public record RequestInfo(
    String method, String route, String path, String clientIp, String user, String apiKey, String plan, int units) {

  public RequestInfo {
    method = method == null ? "GET" : method;
    route = route == null ? "unmatched" : route;
    path = path == null ? "/" : path;
    units = Math.max(1, units);
  }

  public RequestInfo(String method, String route, String path, String clientIp, String user, String apiKey,
                     String plan) {
    this(method, route, path, clientIp, user, apiKey, plan, 1);
  }

  /** An anonymous request from {@code clientIp}. */
  public static RequestInfo anonymous(String method, String path, String clientIp) {
    return new RequestInfo(method, path, path, clientIp, null, null, null);
  }
}
