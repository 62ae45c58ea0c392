package io.spillway.api.graphql;

import graphql.GraphQL;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.GraphqlErrorException;
import graphql.execution.instrumentation.ChainedInstrumentation;
import graphql.execution.preparsed.PreparsedDocumentEntry;
import graphql.language.Document;
import graphql.parser.InvalidSyntaxException;
import graphql.parser.Parser;
import graphql.parser.ParserOptions;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import graphql.validation.ValidationError;
import graphql.validation.Validator;
import io.spillway.config.ApiConfig;
import io.spillway.web.Caller;
import io.spillway.web.Ids;
import io.spillway.web.Problem;
import io.spillway.web.ProblemException;
import io.spillway.web.ProblemType;
import io.spillway.web.Problems;
import io.spillway.web.RequestCost;
import io.spillway.web.RouteTemplates;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.graphql.GraphQLHandler;
import io.vertx.ext.web.handler.graphql.GraphiQLHandler;
import io.vertx.ext.web.handler.graphql.GraphiQLHandlerOptions;
import io.vertx.ext.web.handler.graphql.instrumentation.JsonObjectAdapter;
import io.vertx.ext.web.handler.graphql.instrumentation.VertxFutureAdapter;
import org.dataloader.DataLoader;
import org.dataloader.DataLoaderFactory;
import org.dataloader.DataLoaderRegistry;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /graphql}: GraphQL over the same data layer and cache as the REST API (docs/graphql.md).
 *
 * <p>A request is prepared before anything costly runs: the document is parsed and validated once, its depth and
 * complexity ({@link QueryCost}) are checked against {@code graphql.maxDepth} / {@code graphql.maxComplexity},
 * and the request is named {@code /graphql/query} or {@code /graphql/mutation} (shedding classes, limits,
 * metrics) and weighs {@code ceil(complexity / graphql.complexityPerUnit)} units against the rate limits. It then
 * runs with DataLoaders made for it alone: every level of the query loads its users, posts, comments and likes in
 * one batch (one query per shard), and the loaders cache nothing beyond the request.
 */
public final class GraphQlEndpoint {
  public static final String PATH = "/graphql";
  public static final String QUERY_ROUTE = "/graphql/query";
  public static final String MUTATION_ROUTE = "/graphql/mutation";
  private static final String DOCUMENT = "spillway.graphql.document";
  private static final String VIEWER = "spillway.graphql.viewer";
  public static final int MAX_VARIABLES_BYTES = 16 * 1024;

  private final GraphQlData data;
  private final ApiConfig config;
  private final GraphQLSchema schema;
  private final GraphQLHandler handler;
  private final Parser parser = new Parser();

  public GraphQlEndpoint(GraphQlData data, ApiConfig config) {
    this.data = data;
    this.config = config;
    this.schema = new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(sdl()), wiring());
    GraphQL graphQL = GraphQL.newGraphQL(schema)
        .instrumentation(new ChainedInstrumentation(new JsonObjectAdapter(), VertxFutureAdapter.create()))
        // The document was parsed and validated in prepare(): it is not parsed again.
        .preparsedDocumentProvider((input, parseAndValidate) -> {
          Document doc = input.getGraphQLContext().get(DOCUMENT);
          return CompletableFuture.completedFuture(doc != null ? new PreparsedDocumentEntry(doc)
              : parseAndValidate.apply(input));
        })
        .build();
    this.handler = GraphQLHandler.builder(graphQL)
        .beforeExecute(b -> {
          RoutingContext ctx = b.context();
          Long viewer = Caller.of(ctx).userId();
          Map<Object, Object> context = new HashMap<>();
          context.put(DOCUMENT, ctx.get(DOCUMENT));
          if (viewer != null) {
            context.put(VIEWER, viewer);
          }
          b.builder().graphQLContext(context).dataLoaderRegistry(loaders(viewer));
        })
        .build();
  }

  /** The schema in SDL, as served to tools. */
  public static String sdl() {
    try (InputStream in = GraphQlEndpoint.class.getClassLoader().getResourceAsStream("graphql/schema.graphqls")) {
      if (in == null) {
        throw new IllegalStateException("graphql/schema.graphqls is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs the prepared request (after authentication and the rate limits). */
  public Handler<RoutingContext> execute() {
    return handler;
  }

  /** GraphiQL at {@code /graphiql/}, for dev mode only. */
  public static Router graphiql(Vertx vertx) {
    return GraphiQLHandler.create(vertx, new GraphiQLHandlerOptions().setEnabled(true).setGraphQLUri(PATH)).router();
  }

  /**
   * Reads, parses and validates the request's document and weighs it; answers a request that is malformed or over
   * a limit itself. Runs before shedding, authentication and the rate limits, which need what it finds.
   */
  public void prepare(RoutingContext ctx) {
    String query;
    String operationName;
    Map<String, Object> variables;
    try {
      if (ctx.request().method() == HttpMethod.GET) {
        query = ctx.request().getParam("query");
        operationName = ctx.request().getParam("operationName");
        String raw = ctx.request().getParam("variables");
        variables = raw == null || raw.isEmpty() ? Map.of() : variables(raw);
      } else {
        JsonObject body = io.spillway.web.JsonBodies.object(ctx);
        Object q = body.getValue("query");
        Object op = body.getValue("operationName");
        Object vars = body.getValue("variables");
        if (!(q instanceof String) || (op != null && !(op instanceof String))
            || (vars != null && !(vars instanceof JsonObject))) {
          throw new ProblemException(Problem.invalidField("body",
              "must be {\"query\": string, \"operationName\": string?, \"variables\": object?}"));
        }
        query = (String) q;
        operationName = (String) op;
        variables = vars == null ? Map.of() : ((JsonObject) vars).getMap();
      }
    } catch (ProblemException e) {
      Problems.send(ctx, e.problem());
      return;
    }
    if (query == null || query.isBlank()) {
      Problems.send(ctx, Problem.invalidField("query", "is required"));
      return;
    }
    if (query.length() > config.graphqlMaxQueryBytes()) {
      Problems.send(ctx, Problem.invalidField("query", "is longer than " + config.graphqlMaxQueryBytes()
          + " characters (graphql.maxQueryBytes)"));
      return;
    }
    Document document;
    try {
      document = parser.parseDocument(query);
    } catch (InvalidSyntaxException e) {
      errors(ctx, List.of(e.toInvalidSyntaxError()));
      return;
    }
    List<ValidationError> invalid = new Validator().validateDocument(schema, document, Locale.ENGLISH);
    if (!invalid.isEmpty()) {
      errors(ctx, List.copyOf(invalid));
      return;
    }
    QueryCost.Result cost = QueryCost.of(schema, document, operationName, variables);
    if (cost.operation() == null) {
      errors(ctx, List.of(error("no operation named " + operationName + " in the document", "BAD_OPERATION")));
      return;
    }
    if (cost.depth() > config.graphqlMaxDepth()) {
      errors(ctx, List.of(error("the query is nested " + cost.depth() + " levels deep; at most "
          + config.graphqlMaxDepth() + " are allowed (graphql.maxDepth)", "QUERY_TOO_DEEP")));
      return;
    }
    if (cost.complexity() > config.graphqlMaxComplexity()) {
      errors(ctx, List.of(error("the query may return " + cost.complexity() + " objects; at most "
          + config.graphqlMaxComplexity() + " are allowed (graphql.maxComplexity): ask for smaller pages",
          "QUERY_TOO_COMPLEX")));
      return;
    }
    if (cost.mutation() && ctx.request().method() == HttpMethod.GET) {
      ctx.response().putHeader("Allow", "POST");
      Problems.send(ctx, ProblemType.METHOD_NOT_ALLOWED.with("mutations must be sent with POST"));
      return;
    }
    ctx.put(DOCUMENT, document);
    RouteTemplates.rename(ctx, cost.mutation() ? MUTATION_ROUTE : QUERY_ROUTE);
    long units = (cost.complexity() + config.graphqlComplexityPerUnit() - 1) / config.graphqlComplexityPerUnit();
    RequestCost.set(ctx, (int) Math.max(1, Math.min(units, 1_000_000)));
    ctx.response().putHeader("Spillway-Query-Complexity", Long.toString(cost.complexity()));
    ctx.next();
  }

  private static Map<String, Object> variables(String raw) {
    if (raw.length() > MAX_VARIABLES_BYTES) {
      throw new ProblemException(Problem.invalidField("variables", "is longer than " + MAX_VARIABLES_BYTES + " characters"));
    }
    try {
      return new JsonObject(raw).getMap();
    } catch (DecodeException | ClassCastException e) {
      throw new ProblemException(Problem.invalidField("variables", "must be a JSON object"));
    }
  }

  private static GraphQLError error(String message, String code) {
    return GraphqlErrorBuilder.newError().message(message).extensions(Map.of("code", code)).build();
  }

  /** A request that cannot run: {@code 400} with GraphQL's {@code {"errors": [...]}}. */
  private static void errors(RoutingContext ctx, List<GraphQLError> errors) {
    JsonArray list = new JsonArray();
    errors.forEach(e -> list.add(new JsonObject(e.toSpecification())));
    ctx.response().setStatusCode(400).putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(new JsonObject().put("errors", list).toBuffer());
  }

  // ------------------------------------------------------------------------------------------- resolvers

  private static final String USERS = "users";
  private static final String POSTS = "posts";
  private static final String COMMENTS = "comments";
  private static final String LIKED = "liked";

  /** The request's loaders: each batches the keys one level of the query asks for into one call. */
  private DataLoaderRegistry loaders(Long viewer) {
    DataLoaderRegistry registry = new DataLoaderRegistry();
    registry.register(USERS, DataLoaderFactory.<Long, JsonObject>newMappedDataLoader(
        (Set<Long> ids) -> data.users(ids, viewer).toCompletionStage()));
    registry.register(POSTS, DataLoaderFactory.<Long, JsonObject>newMappedDataLoader(
        (Set<Long> ids) -> data.posts(ids, viewer).toCompletionStage()));
    registry.register(COMMENTS, DataLoaderFactory.<CommentsKey, GraphQlData.Page>newMappedDataLoader(
        (Set<CommentsKey> keys) -> comments(keys, viewer).toCompletionStage()));
    registry.register(LIKED, DataLoaderFactory.<Long, Boolean>newMappedDataLoader(
        (Set<Long> ids) -> (viewer == null ? Future.succeededFuture(Set.<Long>of()) : data.liked(viewer, ids))
            .map(liked -> {
              Map<Long, Boolean> out = new HashMap<>();
              ids.forEach(id -> out.put(id, liked.contains(id)));
              return out;
            }).toCompletionStage()));
    return registry;
  }

  /** The first page of comments of many posts; keys asking for different page sizes are one call per size. */
  private record CommentsKey(long postId, int first) {}

  private Future<Map<CommentsKey, GraphQlData.Page>> comments(Set<CommentsKey> keys, Long viewer) {
    Map<Integer, Set<Long>> bySize = new HashMap<>();
    keys.forEach(k -> bySize.computeIfAbsent(k.first(), f -> new java.util.HashSet<>()).add(k.postId()));
    List<Future<Map<CommentsKey, GraphQlData.Page>>> calls = new java.util.ArrayList<>();
    bySize.forEach((first, ids) -> calls.add(data.latestComments(ids, first, viewer).map(pages -> {
      Map<CommentsKey, GraphQlData.Page> out = new HashMap<>();
      pages.forEach((postId, page) -> out.put(new CommentsKey(postId, first), page));
      return out;
    })));
    return Future.all(calls).map(v -> {
      Map<CommentsKey, GraphQlData.Page> out = new HashMap<>();
      calls.forEach(c -> out.putAll(c.result()));
      return out;
    });
  }

  private RuntimeWiring wiring() {
    return RuntimeWiring.newRuntimeWiring()
        .type("Query", t -> t
            .dataFetcher("user", env -> this.<Long, JsonObject>loader(env, USERS).load(id(env, "id")))
            .dataFetcher("post", env -> this.<Long, JsonObject>loader(env, POSTS).load(id(env, "id")))
            .dataFetcher("me", env -> viewer(env) == null ? null : this.<Long, JsonObject>loader(env, USERS).load(viewer(env)))
            .dataFetcher("feed", env -> page(data.feed(signedIn(env), after(env), first(env)))))
        .type("Mutation", t -> t
            .dataFetcher("createPost", env -> failures(data.createPost(signedIn(env), text(env))))
            .dataFetcher("createComment", env -> failures(data.createComment(signedIn(env), id(env, "postId"), text(env))))
            .dataFetcher("like", env -> failures(data.like(signedIn(env), id(env, "postId"), true)))
            .dataFetcher("unlike", env -> failures(data.like(signedIn(env), id(env, "postId"), false)))
            .dataFetcher("follow", env -> follow(env, true))
            .dataFetcher("unfollow", env -> follow(env, false)))
        .type("User", t -> t
            .dataFetcher("posts", env -> page(data.userPosts(sourceId(env), after(env), first(env), viewer(env))))
            .dataFetcher("followers", env -> page(data.follows(sourceId(env), true, after(env), first(env), viewer(env))))
            .dataFetcher("following", env -> page(data.follows(sourceId(env), false, after(env), first(env), viewer(env)))))
        .type("Post", t -> t
            .dataFetcher("author", this::author)
            .dataFetcher("comments", env -> {
              String after = after(env);
              if (after != null) {
                return page(data.comments(sourceId(env), after, first(env), viewer(env)));
              }
              return this.<CommentsKey, GraphQlData.Page>loader(env, COMMENTS)
                  .load(new CommentsKey(sourceId(env), first(env))).thenApply(GraphQlEndpoint::pageMap);
            })
            .dataFetcher("likedByMe", env -> this.<Long, Boolean>loader(env, LIKED).load(sourceId(env))))
        .type("Comment", t -> t.dataFetcher("author", this::author))
        .type("FollowEntry", t -> t.dataFetcher("user", env -> user(env, ((JsonObject) env.getSource()).getJsonObject("user"))))
        .build();
  }

  private <K, V> DataLoader<K, V> loader(DataFetchingEnvironment env, String name) {
    return env.getDataLoader(name);
  }

  private Object author(DataFetchingEnvironment env) {
    return user(env, ((JsonObject) env.getSource()).getJsonObject("author"));
  }

  /**
   * A user shown next to something: its id and name are already there; anything else (bio, stats, lists) is
   * loaded with the other users of this level.
   */
  private Object user(DataFetchingEnvironment env, JsonObject ref) {
    boolean refOnly = env.getSelectionSet().getImmediateFields().stream()
        .allMatch(f -> f.getName().equals("id") || f.getName().equals("name") || f.getName().equals("__typename"));
    if (refOnly && ref.getString("name") != null) {
      return ref;
    }
    long id = Long.parseLong(ref.getString("id"));
    return this.<Long, JsonObject>loader(env, USERS).load(id).thenApply(u -> u != null ? u : ref);
  }

  private Object follow(DataFetchingEnvironment env, boolean follow) {
    long me = signedIn(env);
    long other = id(env, "userId");
    if (me == other) {
      throw graphQlError(Problem.invalidField("userId", "you cannot follow yourself"));
    }
    return failures(data.follow(me, other, follow));
  }

  private static Long viewer(DataFetchingEnvironment env) {
    return env.getGraphQlContext().get(VIEWER);
  }

  private static long signedIn(DataFetchingEnvironment env) {
    Long viewer = viewer(env);
    if (viewer == null) {
      throw graphQlError(Problem.unauthorized("this field needs a signed-in user: send a bearer token or API key"));
    }
    return viewer;
  }

  private static long id(DataFetchingEnvironment env, String name) {
    long id = Ids.parse(env.getArgument(name));
    if (id < 0) {
      throw graphQlError(Problem.invalidField(name, "must be a positive decimal 64-bit id"));
    }
    return id;
  }

  private static long sourceId(DataFetchingEnvironment env) {
    return Long.parseLong(((JsonObject) env.getSource()).getString("id"));
  }

  private static int first(DataFetchingEnvironment env) {
    Integer first = env.getArgument("first");
    if (first == null || first < 1 || first > QueryCost.MAX_PAGE) {
      throw graphQlError(Problem.invalidField("first", "must be an integer in 1.." + QueryCost.MAX_PAGE));
    }
    return first;
  }

  private static String after(DataFetchingEnvironment env) {
    String after = env.getArgument("after");
    return after == null || after.isEmpty() ? null : after;
  }

  private static String text(DataFetchingEnvironment env) {
    String text = env.getArgument("text");
    int length = text.codePointCount(0, text.length());
    if (length < 1 || length > 5000) {
      throw graphQlError(Problem.invalidField("text", "must be 1..5000 characters, got " + length));
    }
    return text;
  }

  private static Future<Map<String, Object>> page(Future<GraphQlData.Page> page) {
    return failures(page).map(GraphQlEndpoint::pageMap);
  }

  private static Map<String, Object> pageMap(GraphQlData.Page page) {
    Map<String, Object> out = new HashMap<>();
    out.put("items", page.items());
    out.put("next", page.next());
    return out;
  }

  /** A problem from the data layer (404, 403, 400...) becomes a GraphQL error with its text and type. */
  private static <T> Future<T> failures(Future<T> f) {
    return f.recover(err -> Future.failedFuture(err instanceof ProblemException pe ? graphQlError(pe.problem()) : err));
  }

  private static GraphqlErrorException graphQlError(Problem problem) {
    String slug = problem.type().substring(problem.type().lastIndexOf('/') + 1);
    return GraphqlErrorException.newErrorException().message(problem.detail())
        .extensions(Map.of("code", slug.toUpperCase(Locale.ROOT).replace('-', '_'), "status", problem.status()))
        .build();
  }
}
