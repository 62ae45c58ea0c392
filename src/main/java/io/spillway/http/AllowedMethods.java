package io.spillway.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

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

  static boolean matches(String template, String path) {
    String[] literals = template.split(":[A-Za-z0-9_]+", -1);
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < literals.length; i++) {
      if (i > 0) {
        regex.append("[^/]+");
      }
      regex.append(Pattern.quote(literals[i]));
    }
    return Pattern.matches(regex + "/?", path);
  }
}
