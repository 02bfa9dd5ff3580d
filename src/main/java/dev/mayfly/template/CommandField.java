package dev.mayfly.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A command of a template ({@code install}, {@code start}, {@code publish}): not blank, and every
 * placeholder names a param or a port and sits where the shell expands it. Errors point at the
 * placeholder itself.
 */
final class CommandField {
  private CommandField() {}

  static Optional<String> read(
      YamlMapping s,
      String key,
      boolean required,
      Map<String, Template.Param> params,
      Map<String, Integer> ports) {
    Optional<String> text = s.scalar(key, required);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    String command = text.get();
    if (command.isBlank()) {
      throw s.valueError(key, s.path(key) + ": must not be empty");
    }
    checkPlaceholders(s, key, command, params, ports, true);
    return Optional.of(command);
  }

  /**
   * A text whose placeholders mayfly fills with the values themselves ({@code env:}, {@code
   * files:}): every placeholder names a param or a port.
   */
  static String values(
      YamlMapping s, String key, Map<String, Template.Param> params, Map<String, Integer> ports) {
    String text = s.scalar(key, true).orElseThrow();
    checkPlaceholders(s, key, text, params, ports, false);
    return text;
  }

  private static void checkPlaceholders(
      YamlMapping s,
      String key,
      String command,
      Map<String, Template.Param> params,
      Map<String, Integer> ports,
      boolean shell) {
    Map<String, Integer> seen = new LinkedHashMap<>();
    for (Placeholders.Found found : Placeholders.scan(command)) {
      int nth = seen.merge(found.text(), 1, Integer::sum);
      String k = found.key();
      boolean known =
          Placeholders.variable(k) != null
              && (k.startsWith("ports.")
                  ? ports.containsKey(k.substring(6))
                  : params.containsKey(k));
      if (!known) {
        List<String> valid = new ArrayList<>();
        params.keySet().forEach(p -> valid.add("{{" + p + "}}"));
        ports.keySet().forEach(p -> valid.add("{{ports." + p + "}}"));
        throw s.errorInValue(
            key,
            found.text(),
            nth,
            s.path(key)
                + ": unknown placeholder '"
                + found.text()
                + "' (known: "
                + String.join(", ", valid)
                + ")");
      }
      if (shell && found.singleQuoted()) {
        throw s.errorInValue(
            key,
            found.text(),
            nth,
            s.path(key)
                + ": placeholder '"
                + found.text()
                + "' is inside single quotes, where the shell would not expand it (drop the quotes: values arrive quoted)");
      }
    }
  }
}
