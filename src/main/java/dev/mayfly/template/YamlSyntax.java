package dev.mayfly.template;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * YAML as mayfly's user files are read (templates, the targets file): composed into nodes that keep
 * their marks, with every problem reported as one line starting {@code file:line:column}.
 */
final class YamlSyntax {
  private static final Set<String> NULLS = Set.of("", "~", "null", "Null", "NULL");

  private YamlSyntax() {}

  /**
   * @param maxAliases a bound on anchors/aliases, against alias bombs
   * @param error makes the caller's exception from a finished one-line message
   * @return empty for an empty document
   */
  static Optional<Node> compose(
      Path file, String text, int maxAliases, Function<String, ? extends RuntimeException> error) {
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(file.toString())
            .setAllowRecursiveKeys(false)
            .setMaxAliasesForCollections(maxAliases)
            // the whole text in one buffer: with the default 1 KiB, each refill copies the rest of
            // a long
            // token again, so one long comment line took time growing with its length squared
            .setBufferSize(text.length() + 1)
            .build();
    try {
      return new Compose(settings).composeString(text);
    } catch (MarkedYamlEngineException e) {
      Optional<Mark> mark = e.getProblemMark().or(e::getContextMark);
      String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
      String context =
          e.getProblem() != null && e.getContext() != null && e.getContextMark().isPresent()
              ? " ("
                  + oneLine(e.getContext())
                  + " at line "
                  + (e.getContextMark().get().getLine() + 1)
                  + ")"
              : "";
      throw error.apply(where(file, mark) + ": YAML syntax error: " + oneLine(problem) + context);
    } catch (ReaderException e) {
      throw error.apply(
          where(file, text.codePoints().toArray(), e.getPosition())
              + ": YAML syntax error: "
              + oneLine(e.getMessage()));
    } catch (YamlEngineException e) {
      throw error.apply(file + ":1:1: YAML syntax error: " + oneLine(e.getMessage()));
    }
  }

  /** {@code file:line:column} of a node's mark (1-based), or {@code file:1:1} without one. */
  static String where(Path file, Optional<Mark> mark) {
    return mark.map(m -> file + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1))
        .orElse(file + ":1:1");
  }

  /** {@code file:line:column} of a code-point index into the file's text. */
  static String where(Path file, int[] codePoints, int index) {
    int line = 1;
    int column = 1;
    for (int i = 0; i < Math.min(index, codePoints.length); i++) {
      int c = codePoints[i];
      if (c == '\n' || (c == '\r' && (i + 1 >= codePoints.length || codePoints[i + 1] != '\n'))) {
        line++;
        column = 1;
      } else if (c != '\r') {
        column++;
      }
    }
    return file + ":" + line + ":" + column;
  }

  /** A library message folded onto one line. */
  static String oneLine(String s) {
    return s == null ? "" : s.strip().replaceAll("\\s*\\n\\s*", " ");
  }

  /** An empty or {@code null} value, as a plain scalar. */
  static boolean isNull(Node node) {
    return node instanceof ScalarNode s
        && s.getScalarStyle() == ScalarStyle.PLAIN
        && NULLS.contains(s.getValue());
  }

  /** What was found instead, for messages: {@code a mapping}, {@code a list} or the quoted text. */
  static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    String v = ((ScalarNode) node).getValue();
    return "'" + (v.length() > 40 ? v.substring(0, 40) + "…" : v) + "'";
  }
}
