package io.spillway.data;

/**
 * A data-layer outcome the caller should see as a client error (404, 403, 409, 422) or as temporary
 * unavailability (503). Travels over the event bus as the failure code and message.
 */
public final class DataException extends RuntimeException {
  private final int status;

  public DataException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }

  public static DataException notFound(String what) {
    return new DataException(404, what + " not found");
  }

  public static DataException forbidden(String message) {
    return new DataException(403, message);
  }

  public static DataException conflict(String message) {
    return new DataException(409, message);
  }

  /** A shard that cannot serve now (its breaker is open): 503, worth a retry. */
  public static DataException unavailable(String message) {
    return new DataException(503, message);
  }

  public static DataException unprocessable(String message) {
    return new DataException(422, message);
  }
}
