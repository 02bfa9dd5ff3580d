package dev.mayfly.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Flat maps kept as JSON text in one column (deployment parameters, host ports). Reading goes
 * through jackson-core's streaming parser, not databind: {@code list} and {@code status} read these
 * on every row, and an ObjectMapper costs a few hundred classes at start-up before the first one.
 */
final class JsonColumn {
  private static final JsonFactory PARSERS = new JsonFactory();

  private JsonColumn() {}

  static String write(Object value) {
    try {
      return Writer.JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A JSON object of strings, e.g. {@code {"email":"me@example.org"}}. */
  static Map<String, String> strings(String text) {
    return object(text, JsonToken.VALUE_STRING, JsonParser::getText);
  }

  /**
   * {@link #strings}, read on first use: {@code list} reads every deployment's parameters and shows
   * none, and a parser per row was 40 ms of 10,000 rows. A corrupt value fails where it is used.
   */
  static Map<String, String> lazyStrings(String text) {
    return new AbstractMap<>() {
      private Map<String, String> read;

      private Map<String, String> read() {
        if (read == null) {
          read = strings(text);
        }
        return read;
      }

      @Override
      public Set<Entry<String, String>> entrySet() {
        return read().entrySet();
      }

      @Override
      public String get(Object key) {
        return read().get(key);
      }
    };
  }

  /** A JSON object of whole numbers, e.g. {@code {"http":8080}}. */
  static Map<String, Integer> integers(String text) {
    return object(text, JsonToken.VALUE_NUMBER_INT, JsonParser::getIntValue);
  }

  private interface Value<T> {
    T of(JsonParser p) throws IOException;
  }

  private static <T> Map<String, T> object(String text, JsonToken kind, Value<T> value) {
    try (JsonParser p = PARSERS.createParser(text)) {
      expect(p.nextToken() == JsonToken.START_OBJECT, "an object", p);
      Map<String, T> map = new LinkedHashMap<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        expect(p.nextToken() == kind, "a " + describe(kind) + " for '" + key + "'", p);
        map.put(key, value.of(p));
      }
      expect(p.currentToken() == JsonToken.END_OBJECT && p.nextToken() == null, "one object", p);
      return Collections.unmodifiableMap(map);
    } catch (IOException e) {
      throw corrupt(
          e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage());
    }
  }

  private static String describe(JsonToken kind) {
    return kind == JsonToken.VALUE_STRING ? "string" : "whole number";
  }

  private static void expect(boolean ok, String what, JsonParser p) {
    if (!ok) {
      throw corrupt("expected " + what + " at " + p.currentLocation().getColumnNr());
    }
  }

  private static IllegalStateException corrupt(String why) {
    return new IllegalStateException("corrupt registry value: " + why);
  }

  /** Only commands that write rows pay for databind. */
  private static final class Writer {
    static final ObjectMapper JSON = new ObjectMapper();
  }
}
