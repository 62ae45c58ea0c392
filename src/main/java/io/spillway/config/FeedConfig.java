package io.spillway.config;

/**
 * The feed: per-reader timelines in Redis written by the fan-out, high-follower authors merged at read time.
 * See docs/feed.md.
 *
 * @param timelines           false: every feed page is assembled at read time from the posts tables, and
 *                            nothing is fanned out ({@code feed.timelines})
 * @param instances           fan-out consumers per node ({@code feed.instances}; 0: this node fans out nothing)
 * @param timelineMaxEntries  posts kept per timeline, newest first ({@code feed.timelineMaxEntries})
 * @param timelineTtlSeconds  a timeline nobody read this long expires, and is rebuilt on its next read
 *                            ({@code feed.timelineTtlSeconds})
 * @param fanoutMaxFollowers  an author with more followers is not fanned out but merged at read time
 *                            ({@code feed.fanoutMaxFollowers})
 * @param fanoutPageSize      followers read and written per step of a fan-out ({@code feed.fanoutPageSize})
 * @param maxFollowees        follows a rebuild or a read-time assembly reads, the most recent first
 *                            ({@code feed.maxFollowees})
 * @param wideAuthorsRefreshMs how often a node re-reads the set of high-follower authors
 *                            ({@code feed.wideAuthorsRefreshMs})
 */
public record FeedConfig(
    boolean timelines,
    int instances,
    int timelineMaxEntries,
    long timelineTtlSeconds,
    int fanoutMaxFollowers,
    int fanoutPageSize,
    int maxFollowees,
    long wideAuthorsRefreshMs) {

  public FeedConfig {
    Check.range("feed.instances", instances, 0, 64);
    Check.range("feed.timelineMaxEntries", timelineMaxEntries, 10, 100_000);
    Check.range("feed.timelineTtlSeconds", timelineTtlSeconds, 60, 90L * 86_400);
    Check.range("feed.fanoutMaxFollowers", fanoutMaxFollowers, 0, 100_000_000);
    Check.range("feed.fanoutPageSize", fanoutPageSize, 10, 100_000);
    Check.range("feed.maxFollowees", maxFollowees, 1, 1_000_000);
    Check.range("feed.wideAuthorsRefreshMs", wideAuthorsRefreshMs, 100, 600_000);
  }

  static FeedConfig from(ConfigReader r) {
    return new FeedConfig(r.bool("timelines"), r.integer("instances"), r.integer("timelineMaxEntries"),
        r.number("timelineTtlSeconds"), r.integer("fanoutMaxFollowers"), r.integer("fanoutPageSize"),
        r.integer("maxFollowees"), r.number("wideAuthorsRefreshMs"));
  }
}
