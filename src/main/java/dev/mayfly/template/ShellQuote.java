package dev.mayfly.template;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The one way anything reaches a POSIX shell as a word: single-quoted, so nothing in it is special.
 */
public final class ShellQuote {
  private ShellQuote() {}

  /** {@code it's} becomes {@code 'it'\''s'}; the empty string becomes {@code ''}. */
  public static String quote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }

  /** Quotes each word and joins them with spaces, ready to be a command line. */
  public static String join(List<String> words) {
    return words.stream().map(ShellQuote::quote).collect(Collectors.joining(" "));
  }
}
