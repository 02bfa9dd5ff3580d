package dev.mayfly.template;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShellQuoteTest {
  @Test
  void wrapsInSingleQuotes() {
    assertEquals("'hello world'", ShellQuote.quote("hello world"));
  }

  @Test
  void singleQuoteIsClosedEscapedAndReopened() {
    assertEquals("'it'\\''s'", ShellQuote.quote("it's"));
  }

  @Test
  void emptyStringIsAnEmptyWord() {
    assertEquals("''", ShellQuote.quote(""));
  }

  @Test
  void joinQuotesEachWord() {
    assertEquals("'git' 'clone' '--' 'a b'", ShellQuote.join(List.of("git", "clone", "--", "a b")));
  }
}
