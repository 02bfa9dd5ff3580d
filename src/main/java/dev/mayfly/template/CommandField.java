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
      if (found.singleQuoted()) {
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
    return Optional.of(command);
  }
}
