package io.spillway.auth;

/** A bearer token was refused; the message is safe to show the client (it never contains the token). */
public final class InvalidTokenException extends RuntimeException {
  public InvalidTokenException(String reason) {
    super(reason, null, false, false);
  }
}
