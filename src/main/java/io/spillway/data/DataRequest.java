package io.spillway.data;

/**
 * A data-layer operation whose answer is an {@code R}. Each request record names its reply type here, so a
 * call site gets a {@code Future<R>} without a cast ({@link DataClient#call}) and the data verticle registers
 * each handler with the matching type.
 *
 * @param <R> what the operation answers with
 */
public interface DataRequest<R> {
  /** The local event-bus address of requests of {@code type}. */
  static String address(Class<?> type) {
    return "data." + type.getSimpleName();
  }
}
