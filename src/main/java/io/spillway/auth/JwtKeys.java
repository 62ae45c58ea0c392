package io.spillway.auth;

import io.spillway.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.impl.jose.JWK;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which keys of a JWK set can verify tokens of the configured algorithm: a signature key ({@code use} absent or
 * {@code sig}) that the JWT library can load and whose algorithm (stated, or the one its type implies) is the
 * configured one. Only those are given to the library: a set with none would put it in its unsecured mode,
 * where unsigned tokens pass.
 */
final class JwtKeys {
  private JwtKeys() {}

  /** The usable keys of {@code keys}, in order. */
  static List<JsonObject> usable(List<JsonObject> keys, String algorithm) {
    List<JsonObject> out = new ArrayList<>();
    for (JsonObject json : keys) {
      Object use = json.getValue("use");
      if (use != null && !"sig".equals(use)) {
        continue; // an encryption key
      }
      try {
        JWK jwk = new JWK(json);
        if (algorithm.equals(jwk.getAlgorithm()) && jwk.publicKey() != null) {
          out.add(json.copy());
        }
      } catch (RuntimeException e) {
        // A key type or curve the library cannot load: not usable, like any other key of another algorithm.
      }
    }
    return List.copyOf(out);
  }

  /** The {@code keys} of a JWK set document; a document of another shape is a {@link ConfigException} on {@code key}. */
  static List<JsonObject> jwkSet(JsonObject doc, String key) {
    if (!(doc.getValue("keys") instanceof JsonArray keys)) {
      throw new ConfigException(key + ": the JWK set has no \"keys\" array");
    }
    List<JsonObject> out = new ArrayList<>();
    for (Object k : keys) {
      if (k instanceof JsonObject o) {
        out.add(o);
      }
    }
    return out;
  }

  static List<JsonObject> readFile(String file) {
    try {
      return jwkSet(new JsonObject(Files.readString(Path.of(file))), "jwt.jwksFile");
    } catch (IOException | RuntimeException e) {
      if (e instanceof ConfigException ce) {
        throw ce;
      }
      throw new ConfigException("jwt.jwksFile: cannot read a JWK set from " + file + ": " + e.getMessage(), e);
    }
  }
}
