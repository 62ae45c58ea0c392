/**
 * The feed's fan-out worker: consumes the committed-event stream in one consumer group for the whole cluster
 * and asks the data layer to write each post into its readers' timelines (and to take deleted posts and
 * unfollowed authors out). The timelines themselves, and the feed read, live in the data layer.
 */
package io.spillway.feed;
