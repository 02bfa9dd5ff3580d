package dev.mayfly.template;

import java.nio.file.Path;
import java.util.function.Function;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.Node;

/** The file read: its text, for positions inside values, and how its errors are thrown. */
record YamlSource(Path file, int[] text, Function<String, ? extends RuntimeException> error) {
  RuntimeException at(Node node, String message) {
    return error.apply(YamlSyntax.where(file, node.getStartMark()) + ": " + message);
  }

  RuntimeException at(int index, String message) {
    return error.apply(YamlSyntax.where(file, text, index) + ": " + message);
  }

  /**
   * An error pointing at the {@code nth} occurrence of {@code part} in the source of {@code value},
   * or at the value when escaping in the YAML source hides it.
   */
  RuntimeException inValue(Node value, String part, int nth, String message) {
    int start = value.getStartMark().map(Mark::getIndex).orElse(0);
    int end = value.getEndMark().map(Mark::getIndex).orElse(text.length);
    String raw = new String(text, start, Math.min(end, text.length) - start);
    int found = -1;
    for (int i = 0; i < nth; i++) {
      found = raw.indexOf(part, found + 1);
      if (found < 0) {
        return at(start, message);
      }
    }
    return at(start + raw.codePointCount(0, found), message);
  }
}
