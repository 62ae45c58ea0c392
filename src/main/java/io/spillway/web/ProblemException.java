package io.spillway.web;

/** Fails a request with a problem. Thrown or used to fail a future; the failure handler renders it. */
public final class ProblemException extends RuntimeException {
  private final transient Problem problem;

  public ProblemException(Problem problem) {
    super(problem.detail(), null, false, false);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }

  /** True when {@code err} is a problem with HTTP status {@code status} (a data-layer 404, a refused login's 401). */
  public static boolean hasStatus(Throwable err, int status) {
    return err instanceof ProblemException p && p.problem.status() == status;
  }
}
