package dev.mayfly.target;

import dev.mayfly.MayflyException;
import dev.mayfly.Xdg;
import dev.mayfly.template.RootPolicy;
import dev.mayfly.template.YamlMapping;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The targets file: named providers with their settings. Found at {@code $MAYFLY_TARGETS}, else
 * {@code $XDG_CONFIG_HOME/mayfly/targets.yaml}, else {@code ~/.config/mayfly/targets.yaml}; a
 * missing file means no named targets. {@code local} is built in; a name not in the file is taken
 * as a provider name with no settings (so {@code --target ssh --host …} needs no file).
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
 *     endpoint: https://compute.example:8773/services/compute
 *     region: eucalyptus
 *     image: emi-12345678
 * </pre>
 *
 * <p>Any target may add {@code root-prefixes: [/data]}: folders, besides {@code /opt}, {@code /srv}
 * and the login's home, that a template's {@code root:} may be below on its hosts.
 *
 * <p>The environment adds what tools of the provider's world read from it, never credentials: for
 * {@code ec2}, {@code EC2_URL} (as euca2ools does) when the target names no endpoint, {@code
 * AWS_REGION}, the profile ({@code --profile}, else {@code AWS_PROFILE}) and where the shared AWS
 * files are.
 */
public final class Targets {
  public static final String LOCAL = "local";

  /** The setting naming folders, besides the defaults, where a target's deployment roots may be. */
  public static final String ROOT_PREFIXES = "root-prefixes";

  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,39}");

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
   * @param settingNames a provider's known settings (empty: any), null when no such provider is
   *     installed
   * @param profile {@code --profile}, or null
   */
  public static Targets load(
      Map<String, String> env, String profile, Function<String, Set<String>> settingNames) {
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
      target =
          new Target(
              name,
              name,
              Map.of(),
              name.equals(LOCAL) ? "built in" : "provider " + name,
              RootPolicy.DEFAULT_PREFIXES);
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
    s.putIfAbsent(
        "credentials-file",
        env.getOrDefault(
            "AWS_SHARED_CREDENTIALS_FILE", Path.of(home, ".aws", "credentials").toString()));
    s.putIfAbsent(
        "config-file",
        env.getOrDefault("AWS_CONFIG_FILE", Path.of(home, ".aws", "config").toString()));
    return new Target(
        target.name(),
        target.provider(),
        Collections.unmodifiableMap(s),
        target.origin(),
        target.rootPrefixes());
  }

  private static void putIfPresent(Map<String, String> settings, String key, String value) {
    if (value != null && !value.isBlank()) {
      settings.putIfAbsent(key, value);
    }
  }

  /** Reads the targets file; every error names {@code file:line:column}. */
  private static final class Parser {
    private final Path file;
    private final Function<String, Set<String>> settingNames;

    Parser(Path file, Function<String, Set<String>> settingNames) {
      this.file = file;
      this.settingNames = settingNames;
    }

    Map<String, Target> parse(String text) {
      return YamlMapping.read(
              file,
              text,
              20,
              MayflyException::badInput,
              found -> "the file: expected a mapping (targets: NAME: {provider: ..., ...})")
          .map(this::targets)
          .orElseGet(Map::of);
    }

    private Map<String, Target> targets(YamlMapping top) {
      for (String key : top.keys()) {
        if (!key.equals("targets")) {
          throw top.keyError(key, "unknown key '" + key + "' (the file has one key: targets)");
        }
      }
      if (!top.has("targets")) {
        return Map.of();
      }
      YamlMapping named =
          top.mapping(
                  "targets", found -> "targets: expected a mapping (NAME: {provider: ..., ...})")
              .rejectRepeatedKeys("defined twice");
      Map<String, Target> targets = new LinkedHashMap<>();
      for (String name : named.keys()) {
        if (!NAME.matcher(name).matches()) {
          throw named.keyError(
              name, "targets." + name + ": not a valid target name (use [a-z][a-z0-9-]{0,39})");
        }
        if (name.equals(LOCAL)) {
          throw named.keyError(name, "targets.local: 'local' is built in and cannot be redefined");
        }
        targets.put(
            name,
            target(
                name,
                named.mapping(
                    name,
                    found ->
                        "targets."
                            + name
                            + ": expected a mapping (provider: ec2, region: ..., ...)")));
      }
      return Collections.unmodifiableMap(targets);
    }

    private Target target(String name, YamlMapping map) {
      map.rejectRepeatedKeys("given twice");
      List<String> rootPrefixes = rootPrefixes(name, map);
      Map<String, String> values = new LinkedHashMap<>();
      for (String key : map.keys()) {
        if (key.equals(ROOT_PREFIXES)) {
          continue;
        }
        values.put(
            key,
            map.single(key)
                .orElseThrow(
                    () -> map.valueError(key, map.path(key) + ": expected a single value")));
      }
      String provider = values.remove("provider");
      if (provider == null) {
        throw map.error("targets." + name + ": no provider given (e.g. provider: ec2)");
      }
      Set<String> known = settingNames.apply(provider);
      if (known == null) {
        throw map.error("targets." + name + ".provider: unknown provider '" + provider + "'");
      }
      if (!known.isEmpty()) {
        for (String key : values.keySet()) {
          if (!known.contains(key)) {
            throw map.keyError(
                key,
                "targets."
                    + name
                    + "."
                    + key
                    + ": unknown setting for provider "
                    + provider
                    + " (known: "
                    + String.join(", ", known.stream().sorted().toList())
                    + ")");
          }
        }
      }
      return new Target(
          name, provider, Collections.unmodifiableMap(values), map.where(), rootPrefixes);
    }

    /**
     * Mayfly's own setting, for every provider: where deployment roots may be besides the defaults.
     */
    private static List<String> rootPrefixes(String name, YamlMapping map) {
      List<String> extra = map.texts(ROOT_PREFIXES).orElse(List.of());
      for (String prefix : extra) {
        RootPolicy.prefixProblem(prefix)
            .ifPresent(
                why -> {
                  throw map.valueError(
                      ROOT_PREFIXES,
                      "targets." + name + "." + ROOT_PREFIXES + ": '" + prefix + "' " + why);
                });
      }
      return RootPolicy.withDefaults(extra);
    }
  }
}
