package dev.mayfly.template;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * One mapping of a user's YAML file (a template, the targets file), read so that every error is one line
 * naming the {@code file:line:column} of what is wrong. Keys are text; an empty or {@code null} value counts
 * as absent.
 */
public final class YamlMapping {
  private static final Pattern WHOLE_NUMBER = Pattern.compile("-?[0-9]{1,9}");

  private final Source source;
  private final Node at;
  private final Node node;
  private final String path;
  private final List<NodeTuple> tuples;
  private final Map<String, Node> keyNodes = new HashMap<>(); // each key's first occurrence
  private final Map<String, Node> values = new HashMap<>(); // each key's last value, as YAML loaders take it

  /** The file read: its text, for positions inside values, and how its errors are thrown. */
  private record Source(Path file, int[] text, Function<String, ? extends RuntimeException> error) {
    RuntimeException at(Node node, String message) {
      return error.apply(YamlSyntax.where(file, node.getStartMark()) + ": " + message);
    }

    RuntimeException at(int index, String message) {
      return error.apply(YamlSyntax.where(file, text, index) + ": " + message);
    }
  }

  /**
   * @param at where "missing field" errors point: the key naming this mapping, or the document
   * @param value null for a mapping with no entries
   */
  private YamlMapping(Source source, Node at, String path, Node value, Function<String, String> notAMapping) {
    this.source = source;
    this.at = at;
    this.path = path;
    this.node = value == null ? at : value;
    if (value == null) {
      this.tuples = List.of();
      return;
    }
    if (!(value instanceof MappingNode mapping)) {
      throw source.at(value, notAMapping.apply(YamlSyntax.describe(value)));
    }
    this.tuples = mapping.getValue();
    for (NodeTuple t : tuples) {
      if (t.getKeyNode() instanceof ScalarNode key) {
        keyNodes.putIfAbsent(key.getValue(), key);
        values.put(key.getValue(), t.getValueNode());
      }
    }
  }

  /**
   * Reads a file's text as a mapping at its top.
   *
   * @param maxAliases a bound on anchors/aliases, against alias bombs
   * @param error makes the caller's exception from a finished one-line message
   * @param notAMapping the message when the top is no mapping, from what was found instead
   * @return empty for an empty or {@code null} document
   */
  public static Optional<YamlMapping> read(Path file, String text, int maxAliases,
      Function<String, ? extends RuntimeException> error, Function<String, String> notAMapping) {
    Optional<Node> root = YamlSyntax.compose(file, text, maxAliases, error);
    if (root.isEmpty() || YamlSyntax.isNull(root.get())) {
      return Optional.empty();
    }
    Source source = new Source(file, text.codePoints().toArray(), error);
    return Optional.of(new YamlMapping(source, root.get(), "", root.get(), notAMapping));
  }

  /**
   * Checks every key in file order: plain text, given once, and one of {@code allowed}.
   *
   * @param allowed null when keys are names chosen by the author
   * @return this mapping
   */
  YamlMapping checkKeys(List<String> allowed) {
    String in = path.isEmpty() ? "" : " in " + path;
    for (NodeTuple t : tuples) {
      if (!(t.getKeyNode() instanceof ScalarNode keyNode)) {
        throw source.at(t.getKeyNode(), (path.isEmpty() ? "" : path + ": ") + "keys must be plain text");
      }
      String key = keyNode.getValue();
      Node first = keyNodes.get(key);
      if (first != keyNode) {
        int line = first.getStartMark().map(m -> m.getLine() + 1).orElse(0);
        throw source.at(keyNode, "duplicate key '" + key + "'" + in + " (first at line " + line + ")");
      }
      if (allowed != null && !allowed.contains(key)) {
        throw source.at(keyNode, "unknown key '" + key + "'" + in + " (expected: " + String.join(", ", allowed) + ")");
      }
    }
    return this;
  }

  /**
   * For mappings that allow no repeated key, with the caller's word for it.
   *
   * @param saying follows {@code path.key: } at the repeated key, e.g. {@code given twice}
   * @return this mapping
   */
  public YamlMapping rejectRepeatedKeys(String saying) {
    for (NodeTuple t : tuples) {
      String key = plainKey(t);
      if (keyNodes.get(key) != t.getKeyNode()) {
        throw source.at(t.getKeyNode(), path(key) + ": " + saying);
      }
    }
    return this;
  }

  /** The keys in file order; a repeated key comes again. */
  public Iterable<String> keys() {
    return () -> tuples.stream().map(this::plainKey).iterator();
  }

  /** {@code path.key}, as messages name a field. */
  public String path(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** Whether {@code key} has a value that is not empty or null. */
  public boolean has(String key) {
    return value(key).isPresent();
  }

  /** {@code file:line:column} where this mapping starts. */
  public String where() {
    return YamlSyntax.where(source.file(), node.getStartMark());
  }

  /** An error pointing at where this mapping starts. */
  public RuntimeException error(String message) {
    return source.at(node, message);
  }

  /** An error pointing at {@code key} (its first occurrence). */
  public RuntimeException keyError(String key, String message) {
    return source.at(keyNodes.get(key), message);
  }

  /** An error pointing at the value of {@code key}. */
  public RuntimeException valueError(String key, String message) {
    return source.at(values.get(key), message);
  }

  /** The mapping under {@code key}; the caller knows the key has a value. */
  public YamlMapping mapping(String key, Function<String, String> notAMapping) {
    return new YamlMapping(source, keyNodes.get(key), path(key), values.get(key), notAMapping);
  }

  /** The mapping under {@code key}, with its keys checked against {@code allowed} (null: any names). */
  Optional<YamlMapping> mapping(String key, List<String> allowed, boolean required) {
    Optional<Node> v = value(key);
    if (v.isEmpty()) {
      if (required) {
        throw missing(key);
      }
      return Optional.empty();
    }
    String p = path(key);
    return Optional.of(
        new YamlMapping(source, keyNodes.get(key), p, v.get(), found -> p + ": expected a mapping, found " + found)
            .checkKeys(allowed));
  }

  /** A mapping with no entries standing for the absent or empty {@code key}. */
  YamlMapping empty(String key) {
    return new YamlMapping(source, keyNodes.getOrDefault(key, at), path(key), null, null);
  }

  /** The value when it is one scalar, else empty: for callers that word the error themselves. */
  public Optional<String> single(String key) {
    return value(key).filter(ScalarNode.class::isInstance).map(v -> ((ScalarNode) v).getValue());
  }

  /**
   * The value as a list of texts: a YAML sequence of plain values, or one value standing for a list of one.
   *
   * @return empty when the key is absent
   */
  public Optional<List<String>> texts(String key) {
    Optional<Node> v = value(key);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    if (v.get() instanceof ScalarNode s) {
      return Optional.of(List.of(s.getValue()));
    }
    if (!(v.get() instanceof SequenceNode list)) {
      throw source.at(v.get(), path(key) + ": expected a list, found " + YamlSyntax.describe(v.get()));
    }
    for (Node item : list.getValue()) {
      if (!(item instanceof ScalarNode)) {
        throw source.at(item, path(key) + ": expected text, found " + YamlSyntax.describe(item));
      }
    }
    return Optional.of(list.getValue().stream().map(item -> ((ScalarNode) item).getValue()).toList());
  }

  /** The value as text, blank allowed. */
  Optional<String> scalar(String key, boolean required) {
    return scalarNode(key, required).map(ScalarNode::getValue);
  }

  /** The value as text, which must not be blank when required. */
  Optional<String> text(String key, boolean required) {
    Optional<ScalarNode> s = scalarNode(key, required);
    if (s.isPresent() && required && s.get().getValue().isBlank()) {
      throw source.at(s.get(), path(key) + ": must not be empty");
    }
    return s.map(ScalarNode::getValue);
  }

  Optional<Integer> number(String key) {
    Optional<ScalarNode> s = scalarNode(key, false);
    if (s.isPresent() && !WHOLE_NUMBER.matcher(s.get().getValue()).matches()) {
      throw source.at(s.get(), path(key) + ": expected a whole number, found " + YamlSyntax.describe(s.get()));
    }
    return s.map(n -> Integer.parseInt(n.getValue()));
  }

  Optional<Boolean> bool(String key) {
    Optional<ScalarNode> s = scalarNode(key, false);
    if (s.isPresent() && !s.get().getValue().matches("true|false")) {
      throw source.at(s.get(), path(key) + ": expected true or false, found " + YamlSyntax.describe(s.get()));
    }
    return s.map(n -> n.getValue().equals("true"));
  }

  /** A duration such as {@code 30d}, {@code 72h}, {@code 90m} or {@code 45s}. */
  Optional<Duration> duration(String key) {
    Optional<String> text = scalar(key, false);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(Durations.tryParse(text.get()).orElseThrow(() -> valueError(
        key, path(key) + ": '" + text.get() + "' is not a duration (use e.g. 30d, 72h, 90m, 45s)")));
  }

  /**
   * An error pointing at the {@code nth} occurrence of {@code part} in the source of {@code key}'s value,
   * or at the value when escaping in the YAML source hides it.
   */
  RuntimeException errorInValue(String key, String part, int nth, String message) {
    Node value = values.get(key);
    int start = value.getStartMark().map(Mark::getIndex).orElse(0);
    int end = value.getEndMark().map(Mark::getIndex).orElse(source.text().length);
    String raw = new String(source.text(), start, Math.min(end, source.text().length) - start);
    int found = -1;
    for (int i = 0; i < nth; i++) {
      found = raw.indexOf(part, found + 1);
      if (found < 0) {
        return source.at(start, message);
      }
    }
    return source.at(start + raw.codePointCount(0, found), message);
  }

  private Optional<Node> value(String key) {
    Node v = values.get(key);
    return v == null || YamlSyntax.isNull(v) ? Optional.empty() : Optional.of(v);
  }

  private Optional<ScalarNode> scalarNode(String key, boolean required) {
    Optional<Node> v = value(key);
    if (v.isEmpty()) {
      if (required) {
        throw missing(key);
      }
      return Optional.empty();
    }
    if (!(v.get() instanceof ScalarNode s)) {
      throw source.at(v.get(), path(key) + ": expected text, found " + YamlSyntax.describe(v.get()));
    }
    return Optional.of(s);
  }

  private RuntimeException missing(String key) {
    return source.at(at, "missing required field '" + path(key) + "'");
  }

  private String plainKey(NodeTuple t) {
    if (!(t.getKeyNode() instanceof ScalarNode key)) {
      throw source.at(t.getKeyNode(), "expected a plain key");
    }
    return key.getValue();
  }
}
