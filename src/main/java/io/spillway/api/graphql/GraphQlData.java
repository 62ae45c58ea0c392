package io.spillway.api.graphql;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the GraphQL resolvers read and write, in the shapes of REST v2 (JSON objects). Implemented by the REST
 * API's package over the same read cache and data layer; every batch method answers many keys with one query
 * per shard at most.
 */
public interface GraphQlData {
  /** A page of items and the cursor of the next page (null at the end). */
  record Page(List<JsonObject> items, String next) {}

  /** Public profiles (through the read cache; misses read together). Ids with no user are absent. */
  Future<Map<Long, JsonObject>> users(Set<Long> ids, Long viewer);

  /** Posts with their authors' id and name (through the read cache). Ids with no post are absent. */
  Future<Map<Long, JsonObject>> posts(Set<Long> ids, Long viewer);

  /** The first page of each post's comments, newest first. */
  Future<Map<Long, Page>> latestComments(Set<Long> postIds, int first, Long viewer);

  /** Which of {@code postIds} {@code viewer} likes. */
  Future<Set<Long>> liked(long viewer, Set<Long> postIds);

  Future<Page> userPosts(long userId, String after, int first, Long viewer);

  Future<Page> feed(long viewer, String after, int first);

  Future<Page> comments(long postId, String after, int first, Long viewer);

  Future<Page> follows(long userId, boolean followers, String after, int first, Long viewer);

  Future<JsonObject> createPost(long author, String text);

  Future<JsonObject> createComment(long author, long postId, String text);

  /** {@code {postId, liked, likes}}. */
  Future<JsonObject> like(long user, long postId, boolean liked);

  /** {@code {userId, following}}. */
  Future<JsonObject> follow(long follower, long followee, boolean follow);
}
