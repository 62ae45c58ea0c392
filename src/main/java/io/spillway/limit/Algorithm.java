package io.spillway.limit;

/** The algorithms a policy can use; {@code id} is the config value and the Lua script's name for it. */
enum Algorithm {
  TOKEN_BUCKET("token-bucket"),
  GCRA("gcra"),
  FIXED_WINDOW("fixed-window"),
  SLIDING_WINDOW_LOG("sliding-window-log"),
  SLIDING_WINDOW_COUNTER("sliding-window-counter"),
  QUOTA("quota");

  final String id;

  Algorithm(String id) {
    this.id = id;
  }

  static Algorithm of(String id) {
    for (Algorithm a : values()) {
      if (a.id.equals(id)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown algorithm " + id);
  }
}
