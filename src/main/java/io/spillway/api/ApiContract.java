package io.spillway.api;

import io.spillway.web.Problem;
import io.spillway.web.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestUtils;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatorException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The OpenAPI contract ({@code src/main/resources/openapi.yaml}), the one description of the REST API: served
 * at {@code /openapi.yaml} and {@code /openapi.json}, the source of request validation for every route with a
 * body (its body, path parameters and headers; reads are checked by hand in {@link Params}, which measured
 * cheaper on the hot path: docs/api.md), and checked against the mounted routes when a node starts.
 */
public final class ApiContract {
  static final String RESOURCE = "openapi.yaml";
  private static final Object LOCK = new Object();
  private static Source source;

  /** The file's bytes as shipped, the same document as JSON, and its tree. Read once per JVM. */
  private record Source(Buffer yaml, Buffer json, JsonObject tree) {}

  private final Source files;
  private final OpenAPIContract contract;
  private final RequestValidator validator;

  private ApiContract(Source files, OpenAPIContract contract, RequestValidator validator) {
    this.files = files;
    this.contract = contract;
    this.validator = validator;
  }

  /** Reads the contract (once per JVM, on a worker) and builds its validator for {@code vertx}. */
  public static Future<ApiContract> load(Vertx vertx) {
    return vertx.executeBlocking(ApiContract::source, false)
        .compose(s -> OpenAPIContract.from(vertx, forValidator(s.tree().copy()))
            .map(c -> new ApiContract(s, c, RequestValidator.create(vertx, c))));
  }

  private static Source source() {
    synchronized (LOCK) {
      if (source == null) {
        Buffer yaml = read(RESOURCE);
        JsonObject tree = yamlTree(yaml.toString());
        source = new Source(yaml, tree.toBuffer(), tree);
      }
      return source;
    }
  }

  private static Buffer read(String resource) {
    try (InputStream in = ApiContract.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the classpath");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The tree the validator is built from. vertx-openapi 5.0 refuses media types it has no parser for
   * ({@code application/problem+json}, {@code text/event-stream}, {@code application/yaml}, {@code text/html});
   * its copy names them by the parser that reads them ({@code application/json}, {@code text/plain}). The
   * published contract keeps the real types.
   */
  static JsonObject forValidator(JsonObject tree) {
    renameMediaTypes(tree);
    return tree;
  }

  private static void renameMediaTypes(Object node) {
    if (node instanceof JsonObject obj) {
      if (obj.getValue("content") instanceof JsonObject content) {
        for (String type : List.copyOf(content.fieldNames())) {
          String parsedAs = type.endsWith("+json") ? "application/json"
              : type.equals("application/json") || type.startsWith("multipart/") ? null : "text/plain";
          if (parsedAs != null && !content.containsKey(parsedAs)) {
            content.put(parsedAs, content.remove(type));
          }
        }
      }
      obj.forEach(e -> renameMediaTypes(e.getValue()));
    } else if (node instanceof JsonArray array) {
      array.forEach(ApiContract::renameMediaTypes);
    }
  }

  /** YAML to a JSON tree. Keys become strings (a YAML response code {@code 200:} is the number 200). */
  static JsonObject yamlTree(String yaml) {
    Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    return (JsonObject) json(tree);
  }

  private static Object json(Object node) {
    if (node instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), json(v)));
      return new JsonObject(out);
    }
    if (node instanceof List<?> list) {
      JsonArray out = new JsonArray();
      list.forEach(v -> out.add(json(v)));
      return out;
    }
    return node;
  }

  /** The contract as a JSON tree (a copy). */
  public JsonObject tree() {
    return files.tree().copy();
  }

  public OpenAPIContract contract() {
    return contract;
  }

  /** {@code GET /openapi.yaml} and {@code GET /openapi.json}. */
  void serve(Router router) {
    router.get("/openapi.yaml").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/yaml; charset=utf-8")
        .putHeader("Cache-Control", "public, max-age=300")
        .end(files.yaml()));
    router.get("/openapi.json").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "public, max-age=300")
        .end(files.json()));
  }

  /** The operation of a mounted route ({@code /v1/users/:id}), or null when the contract has none. */
  Operation operation(HttpMethod method, String vertxPath) {
    return contract.findOperation(openApiPath(vertxPath), method);
  }

  /**
   * Validates a request against {@code operation}: its body (already read by the body handler), path
   * parameters and headers. Fails with a 400 {@code invalid-field} problem naming the field.
   */
  Future<Void> validate(RoutingContext ctx, Operation operation) {
    Buffer body = ctx.body().buffer();
    Future<ValidatableRequest> extracted;
    try {
      extracted = RequestUtils.extract(ctx.request(), operation, () -> Future.succeededFuture(body));
    } catch (ValidatorException e) {
      // A parameter or header the library cannot even decode (a stray '%' in an Idempotency-Key) throws here.
      extracted = Future.failedFuture(e);
    }
    return extracted
        // The body was accepted as JSON already (application/json or any +json type, see JsonBodies).
        .compose(request -> validator.validate(asJson(request), operation.getOperationId()))
        .recover(err -> Future.failedFuture(problem(operation, err)))
        .mapEmpty();
  }

  private static ValidatableRequest asJson(ValidatableRequest request) {
    return new ValidatableRequest() {
      @Override
      public String getContentType() {
        return request.getBody() == null || request.getBody().isNull() ? request.getContentType() : "application/json";
      }

      @Override
      public Map<String, RequestParameter> getCookies() {
        return request.getCookies();
      }

      @Override
      public Map<String, RequestParameter> getPathParameters() {
        return request.getPathParameters();
      }

      @Override
      public Map<String, RequestParameter> getQuery() {
        return request.getQuery();
      }

      @Override
      public Map<String, RequestParameter> getHeaders() {
        return request.getHeaders();
      }

      @Override
      public RequestParameter getBody() {
        return request.getBody();
      }
    };
  }

  /**
   * A validation failure as the API reports it: the field (or parameter) and what is wrong with it, in the
   * words {@link Fields} uses ({@code text: is required}, {@code text: must be 1..5000 characters, got 5001},
   * {@code mood: unknown field; allowed fields: text}).
   */
  Throwable problem(Operation operation, Throwable err) {
    if (!(err instanceof ValidatorException ve)) {
      return err;
    }
    String parameter = null;
    for (Parameter p : operation.getParameters()) {
      if (ve.getMessage() != null && ve.getMessage().contains("parameter " + p.getName())) {
        parameter = p.getName();
      }
    }
    if (ve instanceof SchemaValidationException sve && sve.getOutputUnit() != null) {
      OutputUnit unit = mostSpecific(sve.getOutputUnit());
      if (parameter != null) {
        return new ProblemException(Problem.invalidField(parameter, unit.getError()));
      }
      return new ProblemException(bodyProblem(operation, unit));
    }
    if (parameter != null) {
      return new ProblemException(Problem.invalidField(parameter, ve.getMessage()));
    }
    String message = ve.getMessage() == null ? "the request does not match its operation" : ve.getMessage();
    if (message.startsWith("Can't decode URL value")) {
      message = "a path parameter or header of the request cannot be decoded (a '%' not followed by two hex digits)";
    }
    return new ProblemException(Problem.badRequest(message.length() > 300 ? message.substring(0, 300) + "..." : message));
  }

  /** The error with the most specific keyword ({@code #/properties/text/maxLength} over {@code #/properties}). */
  private static OutputUnit mostSpecific(OutputUnit root) {
    List<OutputUnit> leaves = new ArrayList<>();
    collect(root, leaves);
    OutputUnit best = root;
    int bestRank = -1;
    for (OutputUnit u : leaves) {
      String keyword = u.getKeywordLocation() == null ? "" : u.getKeywordLocation();
      int rank = keyword.endsWith("/properties") || keyword.endsWith("/additionalProperties") ? 0 : keyword.length();
      if (keyword.endsWith("/additionalProperties") && best == root) {
        rank = 1;
      }
      if (rank > bestRank) {
        best = u;
        bestRank = rank;
      }
    }
    return best;
  }

  private static void collect(OutputUnit unit, List<OutputUnit> out) {
    if (unit.getErrors() == null || unit.getErrors().isEmpty()) {
      out.add(unit);
      return;
    }
    unit.getErrors().forEach(e -> collect(e, out));
  }

  private Problem bodyProblem(Operation operation, OutputUnit unit) {
    String keyword = unit.getKeywordLocation() == null ? "" : unit.getKeywordLocation();
    String error = unit.getError() == null ? "is not valid" : unit.getError();
    JsonObject schema = bodySchema(operation);
    if (keyword.endsWith("/required")) {
      int quote = error.indexOf('"');
      String name = quote >= 0 ? error.substring(quote + 1, error.indexOf('"', quote + 1)) : "body";
      return Problem.invalidField(join(field(unit.getInstanceLocation()), name), "is required");
    }
    String field = field(unit.getInstanceLocation());
    if (keyword.endsWith("/additionalProperties")) {
      JsonObject properties = schema == null ? null : schema.getJsonObject("properties");
      return Problem.invalidField(field, "unknown field" + (properties == null ? ""
          : "; allowed fields: " + String.join(", ", new TreeSet<>(properties.fieldNames()))));
    }
    JsonObject property = schema == null || schema.getJsonObject("properties") == null ? null
        : schema.getJsonObject("properties").getJsonObject(field);
    if (keyword.endsWith("/type")) {
      Object type = property == null ? null : property.getValue("type");
      return Problem.invalidField(field, "must be a " + (type instanceof String t ? t : "value of another type"));
    }
    if ((keyword.endsWith("/minLength") || keyword.endsWith("/maxLength")) && property != null) {
      int got = 0;
      int open = error.indexOf('(');
      if (open >= 0) {
        String digits = error.substring(open + 1).split("[^0-9]")[0];
        got = digits.isEmpty() ? 0 : Integer.parseInt(digits);
      }
      return Problem.invalidField(field, "must be " + property.getInteger("minLength", 0) + ".."
          + property.getInteger("maxLength", Integer.MAX_VALUE) + " characters, got " + got);
    }
    return Problem.invalidField(field, error);
  }

  /** {@code #/text} -> {@code text}; {@code #/a/0/b} -> {@code a[0].b}; the root -> {@code body}. */
  static String field(String instanceLocation) {
    String loc = instanceLocation == null ? "" : instanceLocation.startsWith("#") ? instanceLocation.substring(1)
        : instanceLocation;
    StringBuilder out = new StringBuilder();
    for (String part : loc.split("/")) {
      if (part.isEmpty()) {
        continue;
      }
      String name = part.replace("~1", "/").replace("~0", "~");
      if (name.chars().allMatch(Character::isDigit)) {
        out.append('[').append(name).append(']');
      } else {
        out.append(out.length() == 0 ? "" : ".").append(name);
      }
    }
    return out.length() == 0 ? "body" : out.toString();
  }

  private static String join(String parent, String name) {
    return parent.equals("body") ? name : parent + "." + name;
  }

  /** The request body's JSON schema of {@code operation} in the contract, local references resolved. */
  private JsonObject bodySchema(Operation operation) {
    JsonObject path = files.tree().getJsonObject("paths").getJsonObject(operation.getOpenAPIPath());
    JsonObject op = path == null ? null : path.getJsonObject(operation.getHttpMethod().name().toLowerCase());
    JsonObject body = op == null ? null : resolve(op.getJsonObject("requestBody"));
    JsonObject content = body == null ? null : body.getJsonObject("content");
    JsonObject json = content == null ? null : content.getJsonObject("application/json");
    return json == null ? null : resolve(json.getJsonObject("schema"));
  }

  private JsonObject resolve(JsonObject node) {
    JsonObject at = node;
    for (int hops = 0; at != null && at.getString("$ref") != null && hops < 8; hops++) {
      String ref = at.getString("$ref");
      if (!ref.startsWith("#/")) {
        return null;
      }
      JsonObject target = files.tree();
      for (String part : ref.substring(2).split("/")) {
        target = target == null ? null : target.getJsonObject(part.replace("~1", "/").replace("~0", "~"));
      }
      at = target;
    }
    return at;
  }

  /**
   * The mounted routes that are not in the contract and the contract's operations that are not mounted, as
   * {@code METHOD /path} lines; empty when they agree. Routes without a fixed path or method (static files,
   * prefixes, regular expressions) are not API routes and are not compared.
   */
  public List<String> differences(Router router) {
    return differences(router, Set.of());
  }

  /** As {@link #differences(Router)}; {@code switchedOff} lists operations this node's config does not serve. */
  public List<String> differences(Router router, Set<String> switchedOff) {
    Set<String> mounted = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      String path = route.getPath();
      Set<HttpMethod> methods = route.methods();
      // getPath() is null for a regular expression route; a prefix route (/docs/*) is not exact.
      if (path == null || !route.isExactPath() || methods == null || methods.isEmpty()) {
        continue;
      }
      methods.forEach(m -> mounted.add(m.name() + " " + openApiPath(path)));
    }
    Set<String> documented = new TreeSet<>();
    for (Operation op : contract.operations()) {
      documented.add(op.getHttpMethod().name() + " " + op.getOpenAPIPath());
    }
    List<String> out = new ArrayList<>();
    for (String m : mounted) {
      if (!documented.contains(m)) {
        out.add("mounted but not in " + RESOURCE + ": " + m);
      }
    }
    for (String d : documented) {
      if (!mounted.contains(d) && !switchedOff.contains(d)) {
        out.add("in " + RESOURCE + " but not mounted: " + d);
      }
    }
    return out;
  }

  /** {@code /v1/users/:id} -> {@code /v1/users/{id}}. */
  static String openApiPath(String vertxPath) {
    StringBuilder out = new StringBuilder();
    for (String segment : vertxPath.split("/", -1)) {
      if (out.length() > 0 || !segment.isEmpty()) {
        out.append('/');
      }
      out.append(segment.startsWith(":") ? "{" + segment.substring(1) + "}" : segment);
    }
    return vertxPath.equals("/") ? "/" : out.toString();
  }
}
