package dev.mayfly.template;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds {@code {{name}}} and {@code {{ports.name}}} in a command and tells whether the shell would
 * expand them there.
 */
final class Placeholders {
  static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(.*?)\\}\\}");
  static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

  /**
   * @param text the placeholder as written, braces included
   * @param key the trimmed inside: {@code email} or {@code ports.http}
   * @param offset char offset of {@code text} in the command
   * @param singleQuoted inside '…', where the rendered {@code "${VAR}"} would stay literal text
   */
  record Found(String text, String key, int offset, boolean singleQuoted) {}

  private Placeholders() {}

  static List<Found> scan(String command) {
    boolean[] single = singleQuotedChars(command);
    List<Found> found = new ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(command);
    while (m.find()) {
      found.add(new Found(m.group(), m.group(1).strip(), m.start(), single[m.start()]));
    }
    return found;
  }

  /**
   * The environment variable a placeholder key stands for, or null when the key is not of a valid
   * form.
   */
  static String variable(String key) {
    if (key.startsWith("ports.") && NAME.matcher(key.substring(6)).matches()) {
      return Commands.portVariable(key.substring(6));
    }
    return NAME.matcher(key).matches() ? Commands.paramVariable(key) : null;
  }

  // A small POSIX quote tracker: enough to catch '{{x}}', not a full shell parser.
  private static boolean[] singleQuotedChars(String s) {
    boolean[] single = new boolean[s.length() + 1];
    char state = 0; // 0 plain, '\'' single, '"' double
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      single[i] = state == '\'';
      if (state == '\'') {
        if (c == '\'') {
          state = 0;
        }
      } else if (c == '\\') {
        i++;
        if (i < s.length()) {
          single[i] = false;
        }
      } else if (state == '"') {
        if (c == '"') {
          state = 0;
        }
      } else if (c == '\'' || c == '"') {
        state = c;
      }
    }
    return single;
  }
}
