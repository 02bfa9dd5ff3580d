package dev.mayfly.template;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * YAML as mayfly's user files are read (templates, the targets file): composed into nodes that keep
 * their marks, with every problem reported as one line starting {@code file:line:column}.
 */
public final class YamlSyntax {
  private YamlSyntax() {}

  /**
   * @param maxAliases a bound on anchors/aliases, against alias bombs
   * @param error makes the caller's exception from a finished one-line message
   * @return empty for an empty document
   */
  public static Optional<Node> compose(Path file, String text, int maxAliases,
      Function<String, ? extends RuntimeException> error) {
    LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).setAllowRecursiveKeys(false)
        .setMaxAliasesForCollections(maxAliases).build();
    try {
      return new Compose(settings).composeString(text);
    } catch (MarkedYamlEngineException e) {
      Optional<Mark> mark = e.getProblemMark().or(e::getContextMark);
      String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
      String context = e.getProblem() != null && e.getContext() != null && e.getContextMark().isPresent()
          ? " (" + oneLine(e.getContext()) + " at line " + (e.getContextMark().get().getLine() + 1) + ")"
          : "";
      throw error.apply(where(file, mark) + ": YAML syntax error: " + oneLine(problem) + context);
    } catch (ReaderException e) {
      throw error.apply(where(file, text.codePoints().toArray(), e.getPosition()) + ": YAML syntax error: "
          + oneLine(e.getMessage()));
    } catch (YamlEngineException e) {
      throw error.apply(file + ":1:1: YAML syntax error: " + oneLine(e.getMessage()));
    }
  }

  /** {@code file:line:column} of a node's mark (1-based), or {@code file:1:1} without one. */
  public static String where(Path file, Optional<Mark> mark) {
    return mark.map(m -> file + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1)).orElse(file + ":1:1");
  }

  /** {@code file:line:column} of a code-point index into the file's text. */
  public static String where(Path file, int[] codePoints, int index) {
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
  public static String oneLine(String s) {
    return s == null ? "" : s.strip().replaceAll("\\s*\\n\\s*", " ");
  }
}
