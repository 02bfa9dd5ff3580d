package dev.mayfly.template;

import dev.mayfly.MayflyException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Launch parameters: {@code --param k=v} parsing and checking against a template. Errors never echo values. */
public final class Params {
  private Params() {}

  /**
   * Every template param in template order: the given value, else its default, else empty (optional
   * params only).
   */
  public static LinkedHashMap<String, String> resolve(Template template, Map<String, String> given) {
    for (String name : given.keySet()) {
      if (!template.params().containsKey(name)) {
        String has = template.params().isEmpty() ? "none" : String.join(", ", template.params().keySet());
        throw MayflyException.badInput(
            "param '" + name + "': not a parameter of template '" + template.name() + "' (it has: " + has + ")");
      }
    }
    LinkedHashMap<String, String> resolved = new LinkedHashMap<>();
    for (Template.Param p : template.params().values()) {
      String value = given.get(p.name());
      if (value == null || (value.isEmpty() && p.required())) {
        if (p.required()) {
          throw MayflyException.badInput(
              "param '" + p.name() + "': required (pass --param " + p.name() + "=VALUE)");
        }
        resolved.put(p.name(), p.defaultValue().orElse(""));
        continue;
      }
      if (p.pattern().isPresent() && !p.pattern().get().matcher(value).matches()) {
        throw MayflyException.badInput(
            "param '" + p.name() + "': value does not match pattern '" + p.pattern().get().pattern() + "'");
      }
      resolved.put(p.name(), value);
    }
    return resolved;
  }

  /** {@code NAME=VALUE} strings, split at the first '='; the value is kept verbatim. */
  public static LinkedHashMap<String, String> parseAssignments(List<String> assignments) {
    LinkedHashMap<String, String> out = new LinkedHashMap<>();
    for (String kv : assignments) {
      int eq = kv.indexOf('=');
      if (eq < 0) {
        throw MayflyException.badInput("--param '" + kv + "': expected NAME=VALUE");
      }
      if (eq == 0) {
        // Not echoed: what follows '=' is a value, maybe a secret.
        throw MayflyException.badInput("--param: expected NAME=VALUE, the name is missing");
      }
      String name = kv.substring(0, eq);
      if (out.put(name, kv.substring(eq + 1)) != null) {
        throw MayflyException.badInput("--param '" + name + "': given more than once");
      }
    }
    return out;
  }
}
