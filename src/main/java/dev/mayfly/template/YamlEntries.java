package dev.mayfly.template;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/** One mapping's entries by key, as YAML loaders take them, and the checks on its keys. */
final class YamlEntries {
  private final YamlSource source;
  private final List<NodeTuple> tuples;
  private final Map<String, Node> keyNodes = new HashMap<>(); // each key's first occurrence
  private final Map<String, Node> values =
      new HashMap<>(); // each key's last value, as YAML loaders take it

  YamlEntries(YamlSource source, List<NodeTuple> tuples) {
    this.source = source;
    this.tuples = tuples;
    for (NodeTuple t : tuples) {
      if (t.getKeyNode() instanceof ScalarNode key) {
        keyNodes.putIfAbsent(key.getValue(), key);
        values.put(key.getValue(), t.getValueNode());
      }
    }
  }

  /** The first occurrence of {@code key}, or null. */
  Node keyNode(String key) {
    return keyNodes.get(key);
  }

  /** The last value of {@code key}, or null. */
  Node value(String key) {
    return values.get(key);
  }

  /**
   * Checks every key in file order: plain text, given once, and one of {@code allowed}.
   *
   * @param path names the mapping in messages, empty at the top
   * @param allowed null when keys are names chosen by the author
   */
  void check(String path, List<String> allowed) {
    String in = path.isEmpty() ? "" : " in " + path;
    for (NodeTuple t : tuples) {
      if (!(t.getKeyNode() instanceof ScalarNode keyNode)) {
        throw source.at(
            t.getKeyNode(), (path.isEmpty() ? "" : path + ": ") + "keys must be plain text");
      }
      String key = keyNode.getValue();
      Node first = keyNodes.get(key);
      if (first != keyNode) {
        int line = first.getStartMark().map(m -> m.getLine() + 1).orElse(0);
        throw source.at(
            keyNode, "duplicate key '" + key + "'" + in + " (first at line " + line + ")");
      }
      if (allowed != null && !allowed.contains(key)) {
        throw source.at(
            keyNode,
            "unknown key '" + key + "'" + in + " (expected: " + String.join(", ", allowed) + ")");
      }
    }
  }

  /**
   * Fails at the first repeated key.
   *
   * @param path names a key in messages
   * @param saying follows {@code path.key: } at the repeated key
   */
  void rejectRepeated(Function<String, String> path, String saying) {
    for (NodeTuple t : tuples) {
      String key = plainKey(t);
      if (keyNodes.get(key) != t.getKeyNode()) {
        throw source.at(t.getKeyNode(), path.apply(key) + ": " + saying);
      }
    }
  }

  /** The keys in file order; a repeated key comes again. */
  Iterable<String> keys() {
    return () -> tuples.stream().map(this::plainKey).iterator();
  }

  private String plainKey(NodeTuple t) {
    if (!(t.getKeyNode() instanceof ScalarNode key)) {
      throw source.at(t.getKeyNode(), "expected a plain key");
    }
    return key.getValue();
  }
}
