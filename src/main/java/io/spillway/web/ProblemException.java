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
}
