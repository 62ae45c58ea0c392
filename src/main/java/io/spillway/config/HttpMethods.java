package io.spillway.config;

import java.util.Set;

/** The HTTP methods a config rule may name: the ones the API routes. */
public final class HttpMethods {
  public static final Set<String> ALL = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

  private HttpMethods() {}

  public static String allowed() {
    return String.join(", ", ALL.stream().sorted().toList());
  }
}
