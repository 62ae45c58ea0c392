package io.spillway.config;

/**
 * Moving logical shards between databases ({@code data.resharding}); docs/resharding.md says what each key
 * does to a move.
 *
 * @param copyBatchRows  rows per statement when a move copies a table, and change-log entries per replay batch
 * @param batchPauseMs   pause between copy batches, to bound the load a move adds to the source (0: none)
 * @param catchUpRows    the change backlog under which the mover takes the write fence
 * @param fenceTimeoutMs longest the write fence is held; a cut-over that would take longer is given up, the
 *                       fence lifted, and tried again after {@code retryMs}
 * @param retryMs        wait after a failed step or a given-up cut-over before the mover tries again
 * @param pollMs         how often a node checks the shard map's version (changes are also announced at once
 *                       with NOTIFY) and the leader checks for moves to run
 */
public record ReshardConfig(int copyBatchRows, long batchPauseMs, int catchUpRows, long fenceTimeoutMs,
                            long retryMs, long pollMs) {
  public ReshardConfig {
    Check.range("data.resharding.copyBatchRows", copyBatchRows, 1, 100_000);
    Check.range("data.resharding.batchPauseMs", batchPauseMs, 0, 60_000);
    Check.range("data.resharding.catchUpRows", catchUpRows, 0, 1_000_000);
    Check.range("data.resharding.fenceTimeoutMs", fenceTimeoutMs, 50, 60_000);
    Check.range("data.resharding.retryMs", retryMs, 10, 600_000);
    Check.range("data.resharding.pollMs", pollMs, 10, 600_000);
  }

  static ReshardConfig from(ConfigReader r) {
    return new ReshardConfig(r.integer("copyBatchRows"), r.number("batchPauseMs"), r.integer("catchUpRows"),
        r.number("fenceTimeoutMs"), r.number("retryMs"), r.number("pollMs"));
  }
}
