package io.spillway.cache;

import io.spillway.web.ETags;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * A cached representation: the JSON bytes exactly as the API sends them (encoded once), and their strong
 * ETag; or the remembered absence of the resource (a 404). Immutable, shared by every event loop.
 */
public final class Entry {
  private static final Entry MISSING = new Entry(null, null, 0);
  private static final int OVERHEAD = 96;

  private final Buffer body;
  private final String etag;
  private final long related;

  private Entry(Buffer body, String etag, long related) {
    this.body = body;
    this.etag = etag;
    this.related = related;
  }

  /** A representation; its ETag is the hash of its bytes. */
  public static Entry of(Buffer json) {
    return new Entry(json, ETags.of(json), 0);
  }

  /** A representation that serves with another resource, {@code related} (a post's author). */
  public static Entry of(Buffer json, long related) {
    return new Entry(json, ETags.of(json), related);
  }

  /** The resource does not exist. */
  public static Entry missing() {
    return MISSING;
  }

  public boolean found() {
    return body != null;
  }

  /** The representation's bytes; shared, so callers send them (a slice) and never write into them. */
  public Buffer body() {
    return body;
  }

  /** The id of the resource this one is served with (a post's author), 0 for none. */
  public long related() {
    return related;
  }

  /** The strong ETag, quotes included. */
  public String etag() {
    return etag;
  }

  /** What the entry weighs in the near cache's byte budget. */
  int weight() {
    return OVERHEAD + (body == null ? 0 : body.length());
  }

  @Override
  public String toString() {
    return found() ? body.toString(StandardCharsets.UTF_8) : "(missing)";
  }
}
