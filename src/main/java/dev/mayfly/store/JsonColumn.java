package dev.mayfly.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Maps kept as JSON text in one column (deployment parameters, host ports). */
final class JsonColumn {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonColumn() {}

  static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static <T> T read(String text, TypeReference<T> type) {
    try {
      return JSON.readValue(text, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("corrupt registry value: " + e.getOriginalMessage(), e);
    }
  }
}
