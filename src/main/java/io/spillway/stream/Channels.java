package io.spillway.stream;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Channel names and who may subscribe: {@code posts:{authorId}} (an author's posts) and {@code post:{postId}}
 * (a post's comments and likes) are public; {@code user:{userId}} (notifications) is private to that user.
 */
final class Channels {
  private static final Pattern NAME = Pattern.compile("(posts|post|user):([1-9][0-9]{0,18})");

  /** Why a subscription is refused: the error frame's code and message. */
  record Refusal(String code, String message) {}

  private Channels() {}

  /** Null when {@code subject} may subscribe to {@code channel}. */
  static Refusal check(String channel, String subject) {
    if (channel == null) {
      return new Refusal("bad-channel", "channel is required");
    }
    Matcher m = NAME.matcher(channel);
    if (!m.matches()) {
      return new Refusal("bad-channel", "unknown channel '" + abbreviate(channel)
          + "'; channels are posts:{userId}, post:{postId} and user:{yourId}");
    }
    if (m.group(1).equals("user") && !m.group(2).equals(subject)) {
      return new Refusal("forbidden", "user:" + m.group(2) + " is private to that user");
    }
    return null;
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }
}
