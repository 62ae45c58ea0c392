package io.spillway.auth;

import io.vertx.core.json.JsonObject;

/** A verified token: its subject and claims. Authentication turns it into the request's {@code Caller}. */
public record Principal(String subject, JsonObject claims) {}
