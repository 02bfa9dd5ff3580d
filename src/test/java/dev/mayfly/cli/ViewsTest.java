package dev.mayfly.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * Values from templates, parameters and hosts reach a terminal with their control characters
 * visible.
 */
class ViewsTest {
  @Test
  void controlCharactersAreShownEscaped() {
    assertEquals(
        "\\e[2J\\e[31mred\\rover\\nnext\\ttab\\x07\\x7f\\u202egnp.exe",
        Views.printable("\u001b[2J\u001b[31mred\rover\nnext\ttab\u0007\u007f\u202egnp.exe"));
  }

  @Test
  void plainTextIsUnchanged() {
    assertEquals(
        "Nightly QA — résultats ✓ C:\\path", Views.printable("Nightly QA — résultats ✓ C:\\path"));
    assertNull(Views.printable(null));
  }

  @Test
  void tablesEscapeEveryCell() {
    StringWriter out = new StringWriter();
    new Table("PARAM", "VALUE").row("title", "\u001b]0;owned\u0007").print(new PrintWriter(out));
    assertEquals("PARAM  VALUE\ntitle  \\e]0;owned\\x07\n", out.toString());
  }
}
