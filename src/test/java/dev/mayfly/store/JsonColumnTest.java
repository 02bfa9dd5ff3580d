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
  void lazyStringMapsReadOnFirstUseAndFailThere() {
    Map<String, String> params = Map.of("email", "me@example.org", "title", "Open QA");
    Map<String, String> lazy = JsonColumn.lazyStrings(JsonColumn.write(params));
    assertEquals(params, lazy);
    assertEquals(lazy, params);
    assertEquals(params.hashCode(), lazy.hashCode());
    assertEquals("me@example.org", lazy.get("email"));
    assertThrows(UnsupportedOperationException.class, () -> lazy.put("x", "y"));

    Map<String, String> corrupt = JsonColumn.lazyStrings("{\"a\":1}");
    IllegalStateException e = assertThrows(IllegalStateException.class, corrupt::size);
    assertEquals(true, e.getMessage().startsWith("corrupt registry value: "), e.getMessage());
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
