package dev.mayfly.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonColumnTest {

  @Test
  void stringMapsReadBackWhatWasWrittenInOrderWithEscapesAndNonAscii() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("email", "me@example.org");
    params.put("quote", "say \"hi\"\\n\ttab");
    params.put("ünï", "日本 ✓");
    params.put("empty", "");
    Map<String, String> read = JsonColumn.strings(JsonColumn.write(params));
    assertEquals(params, read);
    assertEquals(params.keySet().stream().toList(), read.keySet().stream().toList());
    assertEquals(Map.of(), JsonColumn.strings("{}"));
  }

  @Test
  void integerMapsReadBackWhatWasWritten() {
    Map<String, Integer> ports = Map.of("http", 8080, "ssh", 22);
    assertEquals(ports, JsonColumn.integers(JsonColumn.write(ports)));
  }

  @Test
  void anythingButOneFlatObjectOfTheRightKindIsACorruptValue() {
    for (String text :
        new String[] {
          "",
          "[]",
          "\"x\"",
          "{\"a\":1}",
          "{\"a\":\"b\"",
          "{\"a\":\"b\"} {}",
          "{\"a\":{\"b\":\"c\"}}"
        }) {
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> JsonColumn.strings(text), text);
      assertEquals(true, e.getMessage().startsWith("corrupt registry value: "), e.getMessage());
    }
    assertThrows(IllegalStateException.class, () -> JsonColumn.integers("{\"http\":\"80\"}"));
    assertThrows(IllegalStateException.class, () -> JsonColumn.integers("{\"http\":8.5}"));
  }
}
