package io.spillway.limit;

/**
 * When a policy is decided. A policy that needs nothing authentication finds out (its key is made of
 * {@code ip} and {@code route} only, and it names no plans) is decided before authentication, so a flood of
 * made-up credentials from one address is refused before any of them is looked up; every other policy after
 * it. A request's two checks are separate: units taken before authentication stay taken if a later policy
 * refuses the request.
 */
public enum Stage {
  BEFORE_AUTH,
  AFTER_AUTH,
  /** Every policy at once (a check outside the request chain). */
  ALL;

  boolean includes(Policy p) {
    return this == ALL || (this == BEFORE_AUTH) == p.beforeAuth;
  }
}
