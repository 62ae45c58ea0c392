package io.spillway.api.graphql;

import graphql.language.Document;
import graphql.language.Field;
import graphql.language.FragmentDefinition;
import graphql.language.FragmentSpread;
import graphql.language.InlineFragment;
import graphql.language.IntValue;
import graphql.language.OperationDefinition;
import graphql.language.Selection;
import graphql.language.SelectionSet;
import graphql.language.Value;
import graphql.language.VariableReference;
import graphql.schema.GraphQLArgument;
import graphql.schema.GraphQLFieldDefinition;
import graphql.schema.GraphQLFieldsContainer;
import graphql.schema.GraphQLNamedType;
import graphql.schema.GraphQLSchema;
import graphql.schema.GraphQLType;
import graphql.schema.GraphQLTypeUtil;

import java.util.HashMap;
import java.util.Map;

/**
 * What a query asks for, before it runs: its depth (the deepest field nesting) and its complexity, the number of
 * objects it may return when every list is full: a list field counts its page size ({@code first}) times the
 * objects of its parent. {@code feed(first: 20) { items { author { name } comments(first: 3) { items { text } } } }}
 * is 1 + 20 + 20 + 20 + 60 = 121. Limits and the rate-limit cost are taken from these numbers.
 */
final class QueryCost {
  static final int MAX_PAGE = 100;

  /** {@code operation} is null when the document names no runnable operation (validation reports it). */
  record Result(OperationDefinition operation, int depth, long complexity) {
    boolean mutation() {
      return operation != null && operation.getOperation() == OperationDefinition.Operation.MUTATION;
    }
  }

  private final GraphQLSchema schema;
  private final Map<String, FragmentDefinition> fragments = new HashMap<>();
  private final Map<String, Object> variables;
  private int depth;

  private QueryCost(GraphQLSchema schema, Document document, Map<String, Object> variables) {
    this.schema = schema;
    this.variables = variables == null ? Map.of() : variables;
    for (FragmentDefinition f : document.getDefinitionsOfType(FragmentDefinition.class)) {
      fragments.put(f.getName(), f);
    }
  }

  static Result of(GraphQLSchema schema, Document document, String operationName, Map<String, Object> variables) {
    OperationDefinition operation = null;
    for (OperationDefinition op : document.getDefinitionsOfType(OperationDefinition.class)) {
      if (operationName == null || operationName.equals(op.getName())) {
        operation = op;
        if (operationName != null) {
          break;
        }
      }
    }
    if (operation == null) {
      return new Result(null, 0, 0);
    }
    GraphQLFieldsContainer root = operation.getOperation() == OperationDefinition.Operation.MUTATION
        ? schema.getMutationType() : schema.getQueryType();
    QueryCost cost = new QueryCost(schema, document, variables);
    long complexity = cost.walk(operation.getSelectionSet(), root, 1, 1, 1, 0);
    return new Result(operation, cost.depth, complexity);
  }

  private long walk(SelectionSet set, GraphQLFieldsContainer type, long mult, long pendingPage, int level, int spreads) {
    if (set == null || type == null || spreads > 32) {
      return 0;
    }
    long total = 0;
    for (Selection<?> selection : set.getSelections()) {
      if (selection instanceof Field field) {
        depth = Math.max(depth, level);
        GraphQLFieldDefinition def = field.getName().startsWith("__") ? null : type.getFieldDefinition(field.getName());
        if (def == null) {
          continue;
        }
        GraphQLType fieldType = GraphQLTypeUtil.unwrapNonNull(def.getType());
        long m = GraphQLTypeUtil.isList(fieldType) ? mult * pendingPage : mult;
        GraphQLNamedType named = GraphQLTypeUtil.unwrapAll(def.getType());
        if (named instanceof GraphQLFieldsContainer child) {
          total += m;
          total += walk(field.getSelectionSet(), child, m, page(def, field), level + 1, spreads);
        }
      } else if (selection instanceof InlineFragment inline) {
        GraphQLFieldsContainer on = inline.getTypeCondition() == null ? type
            : schema.getType(inline.getTypeCondition().getName()) instanceof GraphQLFieldsContainer c ? c : type;
        total += walk(inline.getSelectionSet(), on, mult, pendingPage, level, spreads + 1);
      } else if (selection instanceof FragmentSpread spread) {
        FragmentDefinition f = fragments.get(spread.getName());
        if (f != null) {
          GraphQLFieldsContainer on = schema.getType(f.getTypeCondition().getName()) instanceof GraphQLFieldsContainer c
              ? c : type;
          total += walk(f.getSelectionSet(), on, mult, pendingPage, level, spreads + 1);
        }
      }
      total = Math.min(total, Long.MAX_VALUE / 4);
    }
    return total;
  }

  /** The page size a field asks for ({@code first}, its default when absent), 1 for a field without one. */
  private long page(GraphQLFieldDefinition def, Field field) {
    GraphQLArgument first = def.getArgument("first");
    if (first == null) {
      return 1;
    }
    Object value = null;
    for (graphql.language.Argument arg : field.getArguments()) {
      if (arg.getName().equals("first")) {
        value = literal(arg.getValue());
      }
    }
    if (value == null && first.hasSetDefaultValue() && first.getArgumentDefaultValue().getValue() instanceof Value<?> v) {
      value = literal(v);
    }
    if (value == null && first.hasSetDefaultValue()) {
      value = first.getArgumentDefaultValue().getValue();
    }
    long n = value instanceof Number num ? num.longValue() : MAX_PAGE;
    return Math.max(1, Math.min(MAX_PAGE, n));
  }

  private Object literal(Value<?> value) {
    if (value instanceof IntValue i) {
      return i.getValue().longValue();
    }
    if (value instanceof VariableReference ref) {
      return variables.get(ref.getName());
    }
    return null;
  }
}
