package io.spillway.server;

import io.spillway.config.RoutePattern;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;

import java.util.Set;
import java.util.TreeSet;

/** The methods the router accepts on a path, for the {@code Allow} header of a 405. */
final class AllowedMethods {
  private AllowedMethods() {}

  static String of(Router router, String path) {
    Set<String> methods = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      String template = route.getPath();
      Set<HttpMethod> routeMethods = route.methods();
      if (template == null || routeMethods == null || routeMethods.isEmpty() || !matches(template, path)) {
        continue;
      }
      routeMethods.forEach(m -> methods.add(m.name()));
    }
    if (methods.contains("GET")) {
      methods.add("HEAD");
    }
    return String.join(", ", methods);
  }

  /** True when the route template (Vert.x syntax, {@code /v1/users/:id}) matches {@code path}. */
  static boolean matches(String template, String path) {
    return RoutePattern.problem(template) == null && RoutePattern.parse(template).matches(path);
  }
}
