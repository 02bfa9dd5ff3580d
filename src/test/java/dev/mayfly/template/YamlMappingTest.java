package dev.mayfly.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class YamlMappingTest {
  private static final Path FILE = Path.of("conf.yaml");

  private static YamlMapping read(String text) {
    return YamlMapping.read(
            FILE,
            text,
            10,
            IllegalArgumentException::new,
            found -> "expected a mapping, found " + found)
        .orElseThrow();
  }

  private static String refused(Runnable reading) {
    return assertThrows(IllegalArgumentException.class, reading::run).getMessage();
  }

  @Test
  void unknownKeyListsTheKnownOnesAtItsPosition() {
    YamlMapping top = read("server:\n  host: a\n  prot: 80\n");
    assertEquals(
        "conf.yaml:3:3: unknown key 'prot' in server (expected: host, port)",
        refused(() -> top.mapping("server", List.of("host", "port"), true)));
  }

  @Test
  void wrongTypeSaysWhatWasFound() {
    YamlMapping top = read("port: [80, 81]\nretry: maybe\nwait: 7x\n");
    assertEquals(
        "conf.yaml:1:7: port: expected text, found a list", refused(() -> top.number("port")));
    assertEquals(
        "conf.yaml:2:8: retry: expected true or false, found 'maybe'",
        refused(() -> top.bool("retry")));
    assertEquals(
        "conf.yaml:3:7: wait: '7x' is not a duration (use e.g. 30d, 72h, 90m, 45s)",
        refused(() -> top.duration("wait")));
    assertEquals("conf.yaml:1:1: expected a mapping, found a list", refused(() -> read("- a\n")));
  }

  @Test
  void missingFieldPointsAtTheKeyOfItsMapping() {
    YamlMapping top = read("name: x\nserver:\n  host: a\n");
    YamlMapping server = top.mapping("server", List.of("host", "port"), true).orElseThrow();
    assertEquals(
        "conf.yaml:2:1: missing required field 'server.port'",
        refused(() -> server.text("port", true)));
    assertEquals(
        "conf.yaml:1:1: missing required field 'client'",
        refused(() -> top.mapping("client", null, true)));
  }

  @Test
  void emptyAndNullValuesCountAsAbsent() {
    YamlMapping top = read("a:\nb: ~\nc: ''\nd: 42\ne: 90m\n");
    assertEquals(Optional.empty(), top.scalar("a", false));
    assertEquals(Optional.empty(), top.number("b"));
    assertEquals(Optional.of(""), top.scalar("c", false));
    assertEquals(Optional.of(42), top.number("d"));
    assertEquals(Optional.of(Duration.ofMinutes(90)), top.duration("e"));
    assertTrue(
        YamlMapping.read(FILE, "~\n", 10, IllegalArgumentException::new, found -> "").isEmpty());
  }

  @Test
  void repeatedKeysAreRefusedAtTheRepeat() {
    assertEquals(
        "conf.yaml:3:1: duplicate key 'a' (first at line 1)",
        refused(() -> read("a: 1\nb: 2\na: 3\n").checkKeys(null)));
    assertEquals(
        "conf.yaml:2:1: a: given twice",
        refused(() -> read("a: 1\na: 2\n").rejectRepeatedKeys("given twice")));
  }
}
