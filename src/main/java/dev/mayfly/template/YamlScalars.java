package dev.mayfly.template;

import java.util.List;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads one present YAML value as a typed scalar or a list of texts; {@code path} names it in
 * errors.
 */
final class YamlScalars {
  private static final Pattern WHOLE_NUMBER = Pattern.compile("-?[0-9]{1,9}");

  private YamlScalars() {}

  static ScalarNode scalar(YamlSource source, String path, Node v) {
    if (!(v instanceof ScalarNode s)) {
      throw source.at(v, path + ": expected text, found " + YamlSyntax.describe(v));
    }
    return s;
  }

  /** A YAML sequence of plain values, or one value standing for a list of one. */
  static List<String> texts(YamlSource source, String path, Node v) {
    if (v instanceof ScalarNode s) {
      return List.of(s.getValue());
    }
    if (!(v instanceof SequenceNode list)) {
      throw source.at(v, path + ": expected a list, found " + YamlSyntax.describe(v));
    }
    for (Node item : list.getValue()) {
      if (!(item instanceof ScalarNode)) {
        throw source.at(item, path + ": expected text, found " + YamlSyntax.describe(item));
      }
    }
    return list.getValue().stream().map(item -> ((ScalarNode) item).getValue()).toList();
  }

  static String notBlank(YamlSource source, String path, ScalarNode s) {
    if (s.getValue().isBlank()) {
      throw source.at(s, path + ": must not be empty");
    }
    return s.getValue();
  }

  static int number(YamlSource source, String path, ScalarNode s) {
    if (!WHOLE_NUMBER.matcher(s.getValue()).matches()) {
      throw source.at(s, path + ": expected a whole number, found " + YamlSyntax.describe(s));
    }
    return Integer.parseInt(s.getValue());
  }

  static boolean bool(YamlSource source, String path, ScalarNode s) {
    if (!s.getValue().matches("true|false")) {
      throw source.at(s, path + ": expected true or false, found " + YamlSyntax.describe(s));
    }
    return s.getValue().equals("true");
  }
}
