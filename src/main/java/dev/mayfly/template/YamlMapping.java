package dev.mayfly.template;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * One mapping of a user's YAML file (a template, the targets file), read so that every error is one
 * line naming the {@code file:line:column} of what is wrong. Keys are text; an empty or {@code
 * null} value counts as absent.
 */
public final class YamlMapping {
  private final YamlSource source;
  private final Node at;
  private final Node node;
  private final String path;
  private final YamlEntries entries;

  /**
   * @param at where "missing field" errors point: the key naming this mapping, or the document
   * @param value null for a mapping with no entries
   */
  private YamlMapping(
      YamlSource source, Node at, String path, Node value, Function<String, String> notAMapping) {
    this.source = source;
    this.at = at;
    this.path = path;
    this.node = value == null ? at : value;
    if (value == null) {
      this.entries = new YamlEntries(source, List.of());
      return;
    }
    if (!(value instanceof MappingNode mapping)) {
      throw source.at(value, notAMapping.apply(YamlSyntax.describe(value)));
    }
    this.entries = new YamlEntries(source, mapping.getValue());
  }

  /**
   * Reads a file's text as a mapping at its top.
   *
   * @param maxAliases a bound on anchors/aliases, against alias bombs
   * @param error makes the caller's exception from a finished one-line message
   * @param notAMapping the message when the top is no mapping, from what was found instead
   * @return empty for an empty or {@code null} document
   */
  public static Optional<YamlMapping> read(
      Path file,
      String text,
      int maxAliases,
      Function<String, ? extends RuntimeException> error,
      Function<String, String> notAMapping) {
    Optional<Node> root = YamlSyntax.compose(file, text, maxAliases, error);
    if (root.isEmpty() || YamlSyntax.isNull(root.get())) {
      return Optional.empty();
    }
    YamlSource source = new YamlSource(file, text.codePoints().toArray(), error);
    return Optional.of(new YamlMapping(source, root.get(), "", root.get(), notAMapping));
  }

  /**
   * Checks every key in file order: plain text, given once, and one of {@code allowed}.
   *
   * @param allowed null when keys are names chosen by the author
   * @return this mapping
   */
  YamlMapping checkKeys(List<String> allowed) {
    entries.check(path, allowed);
    return this;
  }

  /**
   * For mappings that allow no repeated key, with the caller's word for it.
   *
   * @param saying follows {@code path.key: } at the repeated key, e.g. {@code given twice}
   * @return this mapping
   */
  public YamlMapping rejectRepeatedKeys(String saying) {
    entries.rejectRepeated(this::path, saying);
    return this;
  }

  /** The keys in file order; a repeated key comes again. */
  public Iterable<String> keys() {
    return entries.keys();
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
    return source.at(entries.keyNode(key), message);
  }

  /** An error pointing at the value of {@code key}. */
  public RuntimeException valueError(String key, String message) {
    return source.at(entries.value(key), message);
  }

  /** The mapping under {@code key}; the caller knows the key has a value. */
  public YamlMapping mapping(String key, Function<String, String> notAMapping) {
    return new YamlMapping(
        source, entries.keyNode(key), path(key), entries.value(key), notAMapping);
  }

  /**
   * The mapping under {@code key}, with its keys checked against {@code allowed} (null: any names).
   */
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
        new YamlMapping(
                source,
                entries.keyNode(key),
                p,
                v.get(),
                found -> p + ": expected a mapping, found " + found)
            .checkKeys(allowed));
  }

  /** A mapping with no entries standing for the absent or empty {@code key}. */
  YamlMapping empty(String key) {
    return new YamlMapping(
        source, Optional.ofNullable(entries.keyNode(key)).orElse(at), path(key), null, null);
  }

  /** The value when it is one scalar, else empty: for callers that word the error themselves. */
  public Optional<String> single(String key) {
    return value(key).filter(ScalarNode.class::isInstance).map(v -> ((ScalarNode) v).getValue());
  }

  /**
   * The value as a list of texts: a YAML sequence of plain values, or one value standing for a list
   * of one.
   *
   * @return empty when the key is absent
   */
  public Optional<List<String>> texts(String key) {
    return value(key).map(v -> YamlScalars.texts(source, path(key), v));
  }

  /** The value as text, blank allowed. */
  Optional<String> scalar(String key, boolean required) {
    return scalarNode(key, required).map(ScalarNode::getValue);
  }

  /** The value as text, which must not be blank when required. */
  Optional<String> text(String key, boolean required) {
    return scalarNode(key, required)
        .map(s -> required ? YamlScalars.notBlank(source, path(key), s) : s.getValue());
  }

  Optional<Integer> number(String key) {
    return scalarNode(key, false).map(s -> YamlScalars.number(source, path(key), s));
  }

  Optional<Boolean> bool(String key) {
    return scalarNode(key, false).map(s -> YamlScalars.bool(source, path(key), s));
  }

  /** A duration such as {@code 30d}, {@code 72h}, {@code 1d12h} or {@code P1DT12H}. */
  Optional<Duration> duration(String key) {
    Optional<String> text = scalar(key, false);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(Durations.parse(text.get(), why -> valueError(key, path(key) + ": " + why)));
  }

  /**
   * An error pointing at the {@code nth} occurrence of {@code part} in the source of {@code key}'s
   * value, or at the value when escaping in the YAML source hides it.
   */
  RuntimeException errorInValue(String key, String part, int nth, String message) {
    return source.inValue(entries.value(key), part, nth, message);
  }

  private Optional<Node> value(String key) {
    Node v = entries.value(key);
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
    return Optional.of(YamlScalars.scalar(source, path(key), v.get()));
  }

  private RuntimeException missing(String key) {
    return source.at(at, "missing required field '" + path(key) + "'");
  }
}
