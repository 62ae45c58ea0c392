package io.spillway.reshard;

/** An admin request about a move that cannot be done as asked: its HTTP status (404, 409) and why. */
final class MoveRefused extends RuntimeException {
  private final int status;

  MoveRefused(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  int status() {
    return status;
  }
}
