package dev.mayfly.web;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a real response against {@code openapi.json}: the path, method and status must be
 * documented, and the body must match its schema (the subset the document uses: type, nullable
 * types, properties, required, additionalProperties, items, oneOf, $ref).
 */
final class OpenApiCheck {
  private final JsonNode doc;

  OpenApiCheck(JsonNode doc) {
    this.doc = doc;
  }

  void check(String method, String path, int status, JsonNode body) {
    JsonNode op = doc.path("paths").path(path).path(method);
    assertNotNull(op.isMissingNode() ? null : op, method + " " + path + " is not documented");
    JsonNode response = op.path("responses").path(Integer.toString(status));
    if (response.isMissingNode()) {
      throw new AssertionError(
          method + " " + path + ": status " + status + " is not documented: " + body);
    }
    JsonNode content = response.path("content");
    JsonNode schema = content.elements().next().path("schema");
    List<String> problems = new ArrayList<>();
    validate(schema, body, "$", problems);
    if (!problems.isEmpty()) {
      throw new AssertionError(
          method
              + " "
              + path
              + " "
              + status
              + " does not match its schema: "
              + problems
              + "\n"
              + body);
    }
  }

  private JsonNode resolve(JsonNode schema) {
    while (schema.has("$ref")) {
      String[] parts = schema.get("$ref").asText().substring(2).split("/");
      JsonNode n = doc;
      for (String p : parts) {
        n = n.path(p);
      }
      schema = n;
    }
    return schema;
  }

  private void validate(JsonNode schema, JsonNode value, String where, List<String> problems) {
    schema = resolve(schema);
    if (schema.has("oneOf")) {
      int matching = 0;
      for (JsonNode option : schema.get("oneOf")) {
        List<String> p = new ArrayList<>();
        validate(option, value, where, p);
        if (p.isEmpty()) {
          matching++;
        }
      }
      if (matching != 1) {
        problems.add(where + ": matches " + matching + " of oneOf");
      }
      return;
    }
    if (schema.has("type")) {
      List<String> types = new ArrayList<>();
      if (schema.get("type").isArray()) {
        schema.get("type").forEach(t -> types.add(t.asText()));
      } else {
        types.add(schema.get("type").asText());
      }
      String actual = type(value);
      if (!types.contains(actual) && !(actual.equals("integer") && types.contains("number"))) {
        problems.add(where + ": " + actual + " where " + types + " is documented");
        return;
      }
    }
    if (value.isObject()) {
      JsonNode props = schema.path("properties");
      schema
          .path("required")
          .forEach(
              r -> {
                if (!value.has(r.asText())) {
                  problems.add(where + ": missing " + r.asText());
                }
              });
      JsonNode additional = schema.path("additionalProperties");
      value
          .fields()
          .forEachRemaining(
              f -> {
                if (props.has(f.getKey())) {
                  validate(props.get(f.getKey()), f.getValue(), where + "." + f.getKey(), problems);
                } else if (additional.isBoolean() && !additional.asBoolean()) {
                  problems.add(where + ": undocumented field " + f.getKey());
                } else if (additional.isObject()) {
                  validate(additional, f.getValue(), where + "." + f.getKey(), problems);
                }
              });
    }
    if (value.isArray() && schema.has("items")) {
      int i = 0;
      for (JsonNode item : value) {
        validate(schema.get("items"), item, where + "[" + i++ + "]", problems);
      }
    }
  }

  private static String type(JsonNode v) {
    if (v.isNull()) {
      return "null";
    }
    if (v.isTextual()) {
      return "string";
    }
    if (v.isIntegralNumber()) {
      return "integer";
    }
    if (v.isNumber()) {
      return "number";
    }
    if (v.isBoolean()) {
      return "boolean";
    }
    return v.isArray() ? "array" : "object";
  }
}
