package io.spillway.api;

import io.spillway.web.Problem;
import io.spillway.web.ProblemException;
import io.vertx.core.json.JsonObject;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Strict reading of a JSON request body: unknown fields, wrong types and out-of-range values are a 400
 * that names the field. Nothing is written before the whole body is valid.
 */
final class Fields {
  private static final Pattern EMAIL = Pattern.compile("^[^@\\s]{1,64}@[^@\\s]{1,190}\\.[^@\\s]{1,63}$");
  private final JsonObject body;

  private Fields(JsonObject body) {
    this.body = body;
  }

  static Fields of(JsonObject body, Set<String> allowed) {
    for (String name : body.fieldNames()) {
      if (!allowed.contains(name)) {
        throw invalid(name, "unknown field; allowed fields: " + String.join(", ", allowed.stream().sorted().toList()));
      }
    }
    return new Fields(body);
  }

  String required(String name, int min, int max) {
    String value = optional(name, min, max);
    if (value == null) {
      throw invalid(name, "is required");
    }
    return value;
  }

  String optional(String name, int min, int max) {
    Object v = body.getValue(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw invalid(name, "must be a string");
    }
    if (s.indexOf('\0') >= 0) {
      // PostgreSQL text cannot hold it: refused here, with the field's name, rather than by the database.
      throw invalid(name, "must not contain the NUL character (U+0000)");
    }
    if (!wellFormed(s)) {
      // JSON can escape half a surrogate pair ("\ud800"); that is not text, and jsonb refuses it.
      throw invalid(name, "must be valid Unicode text (it has an unpaired surrogate)");
    }
    int length = s.codePointCount(0, s.length());
    if (length < min || length > max) {
      throw invalid(name, "must be " + min + ".." + max + " characters, got " + length);
    }
    return s;
  }

  String email(String name) {
    String email = required(name, 3, 254).trim().toLowerCase(java.util.Locale.ROOT);
    if (!EMAIL.matcher(email).matches()) {
      throw invalid(name, "is not an email address");
    }
    return email;
  }

  /** True when every surrogate is half of a pair. */
  static boolean wellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  static ProblemException invalid(String field, String detail) {
    return new ProblemException(Problem.invalidField(field, detail));
  }
}
