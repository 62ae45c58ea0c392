package io.spillway.config;

import java.util.regex.Pattern;

/** What a plan name may be: the name a rate-limit policy's {@code plans} lists and an account carries. */
public final class Plans {
  static final String RULE = "must be 1-64 characters of A-Z a-z 0-9 . _ -";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private Plans() {}

  public static boolean valid(String plan) {
    return plan != null && NAME.matcher(plan).matches();
  }
}
