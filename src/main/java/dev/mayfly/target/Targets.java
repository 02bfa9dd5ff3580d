package dev.mayfly.target;

import dev.mayfly.MayflyException;
import dev.mayfly.Xdg;
import dev.mayfly.template.YamlSyntax;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * The targets file: named providers with their settings. Found at {@code $MAYFLY_TARGETS}, else
 * {@code $XDG_CONFIG_HOME/mayfly/targets.yaml}, else {@code ~/.config/mayfly/targets.yaml}; a missing file
 * means no named targets. {@code local} is built in; a name not in the file is taken as a provider name
 * with no settings (so {@code --target ssh --host …} needs no file).
 *
 * <pre>
 * targets:
 *   aws-dev:
 *     provider: ec2
 *     region: eu-west-1
 *     image: ami-0123456789abcdef0
 *     instance-type: t3.small
 *     ssh-user: ec2-user
 *   euca:
 *     provider: ec2
 *     endpoint: https://compute.example:8773/
 *     region: eucalyptus
 *     image: emi-12345678
 * </pre>
 *
 * <p>The environment adds what tools of the provider's world read from it, never credentials: for
 * {@code ec2}, {@code EC2_URL} (as euca2ools does) when the target names no endpoint, {@code AWS_REGION},
 * the profile ({@code --profile}, else {@code AWS_PROFILE}) and where the shared AWS files are.
 */
public final class Targets {
  public static final String LOCAL = "local";
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,39}");
  private static final Set<String> NULLS = Set.of("", "~", "null", "Null", "NULL");

  private final Path file;
  private final Map<String, Target> byName;
  private final Map<String, String> env;
  private final String profile;

  private Targets(Path file, Map<String, Target> byName, Map<String, String> env, String profile) {
    this.file = file;
    this.byName = byName;
    this.env = env;
    this.profile = profile;
  }

  /** No file: only {@code local} and bare provider names. */
  public static Targets none() {
    return new Targets(null, Map.of(), Map.of(), null);
  }

  /** Where the targets file is looked for with this environment. */
  public static Path fileFor(Map<String, String> env) {
    String explicit = env.get("MAYFLY_TARGETS");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    return Xdg.configDir(env).resolve("targets.yaml");
  }

  /**
   * Loads the targets file for this environment.
   *
   * @param settingNames a provider's known settings (empty: any), null when no such provider is installed
   * @param profile {@code --profile}, or null
   */
  public static Targets load(Map<String, String> env, String profile, Function<String, Set<String>> settingNames) {
    Path file = fileFor(env);
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      return new Targets(file, Map.of(), env, profile);
    } catch (MalformedInputException e) {
      throw MayflyException.badInput(file + ": not UTF-8 text");
    } catch (IOException e) {
      throw MayflyException.badInput(file + ": cannot read (" + e.getMessage() + ")");
    }
    return new Targets(file, new Parser(file, settingNames).parse(text), env, profile);
  }

  /** The targets the file defines, in file order. */
  public List<Target> defined() {
    return byName.values().stream().map(this::withEnvironment).toList();
  }

  /** The target called {@code name}, with what the environment adds to its settings. */
  public Target resolve(String name) {
    if (name == null || name.isBlank()) {
      throw MayflyException.badInput("--target: empty target name");
    }
    Target target = byName.get(name);
    if (target == null) {
      target = new Target(name, name, Map.of(), name.equals(LOCAL) ? "built in" : "provider " + name);
    }
    return withEnvironment(target);
  }

  /** The file read, for messages; null for {@link #none()}. */
  public Path file() {
    return file;
  }

  private Target withEnvironment(Target target) {
    if (!target.provider().equals("ec2")) {
      return target;
    }
    Map<String, String> s = new LinkedHashMap<>(target.settings());
    s.put("target", target.name());
    putIfPresent(s, "endpoint", env.get("EC2_URL"));
    putIfPresent(s, "region", env.get("AWS_REGION"));
    putIfPresent(s, "region", env.get("AWS_DEFAULT_REGION"));
    if (profile != null && !profile.isBlank()) {
      s.put("profile", profile);
    } else {
      putIfPresent(s, "profile", env.get("AWS_PROFILE"));
    }
    String home = env.getOrDefault("HOME", ".");
    s.putIfAbsent("credentials-file",
        env.getOrDefault("AWS_SHARED_CREDENTIALS_FILE", Path.of(home, ".aws", "credentials").toString()));
    s.putIfAbsent("config-file", env.getOrDefault("AWS_CONFIG_FILE", Path.of(home, ".aws", "config").toString()));
    return new Target(target.name(), target.provider(), Collections.unmodifiableMap(s), target.origin());
  }

  private static void putIfPresent(Map<String, String> settings, String key, String value) {
    if (value != null && !value.isBlank()) {
      settings.putIfAbsent(key, value);
    }
  }

  /** Reads the node tree so every error names {@code file:line:column}. */
  private static final class Parser {
    private final Path file;
    private final Function<String, Set<String>> settingNames;

    Parser(Path file, Function<String, Set<String>> settingNames) {
      this.file = file;
      this.settingNames = settingNames;
    }

    Map<String, Target> parse(String text) {
      Optional<Node> root = YamlSyntax.compose(file, text, 20, MayflyException::badInput);
      Map<String, Target> targets = new LinkedHashMap<>();
      if (root.isEmpty() || isNull(root.get())) {
        return targets;
      }
      MappingNode top = mapping(root.get(), "the file", "targets: NAME: {provider: ..., ...}");
      Node targetsNode = null;
      for (NodeTuple t : top.getValue()) {
        String key = scalarKey(t);
        if (!key.equals("targets")) {
          throw error(t.getKeyNode(), "unknown key '" + key + "' (the file has one key: targets)");
        }
        targetsNode = t.getValueNode();
      }
      if (targetsNode == null || isNull(targetsNode)) {
        return targets;
      }
      for (NodeTuple t : mapping(targetsNode, "targets", "NAME: {provider: ..., ...}").getValue()) {
        String name = scalarKey(t);
        if (!NAME.matcher(name).matches()) {
          throw error(t.getKeyNode(), "targets." + name + ": not a valid target name (use [a-z][a-z0-9-]{0,39})");
        }
        if (name.equals(LOCAL)) {
          throw error(t.getKeyNode(), "targets.local: 'local' is built in and cannot be redefined");
        }
        if (targets.containsKey(name)) {
          throw error(t.getKeyNode(), "targets." + name + ": defined twice");
        }
        targets.put(name, target(name, t.getValueNode()));
      }
      return Collections.unmodifiableMap(targets);
    }

    private Target target(String name, Node node) {
      MappingNode map = mapping(node, "targets." + name, "provider: ec2, region: ..., ...");
      Map<String, String> values = new LinkedHashMap<>();
      Map<String, Node> keyNodes = new LinkedHashMap<>();
      String provider = null;
      for (NodeTuple t : map.getValue()) {
        String key = scalarKey(t);
        String path = "targets." + name + "." + key;
        if (keyNodes.containsKey(key)) {
          throw error(t.getKeyNode(), path + ": given twice");
        }
        keyNodes.put(key, t.getKeyNode());
        if (!(t.getValueNode() instanceof ScalarNode v) || isNull(v)) {
          throw error(t.getValueNode(), path + ": expected a single value");
        }
        if (key.equals("provider")) {
          provider = v.getValue();
        } else {
          values.put(key, v.getValue());
        }
      }
      if (provider == null) {
        throw error(node, "targets." + name + ": no provider given (e.g. provider: ec2)");
      }
      Set<String> known = settingNames.apply(provider);
      if (known == null) {
        throw error(node, "targets." + name + ".provider: unknown provider '" + provider + "'");
      }
      if (!known.isEmpty()) {
        for (String key : values.keySet()) {
          if (!known.contains(key)) {
            throw error(keyNodes.get(key), "targets." + name + "." + key + ": unknown setting for provider "
                + provider + " (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
          }
        }
      }
      String origin = node.getStartMark().map(m -> file + ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1))
          .orElse(file.toString());
      return new Target(name, provider, Collections.unmodifiableMap(values), origin);
    }

    private MappingNode mapping(Node node, String what, String shape) {
      if (!(node instanceof MappingNode m)) {
        throw error(node, what + ": expected a mapping (" + shape + ")");
      }
      return m;
    }

    private String scalarKey(NodeTuple t) {
      if (!(t.getKeyNode() instanceof ScalarNode k)) {
        throw error(t.getKeyNode(), "expected a plain key");
      }
      return k.getValue();
    }

    private static boolean isNull(Node node) {
      return node instanceof ScalarNode s && NULLS.contains(s.getValue())
          && s.getScalarStyle() == org.snakeyaml.engine.v2.common.ScalarStyle.PLAIN;
    }

    private MayflyException error(Node node, String message) {
      return at(node.getStartMark(), message);
    }

    private MayflyException at(Optional<Mark> mark, String message) {
      return MayflyException.badInput(YamlSyntax.where(file, mark) + ": " + message);
    }
  }
}
