package dev.mayfly.provider;

import dev.mayfly.MayflyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The targets file: {@code $MAYFLY_TARGETS}, else {@code $XDG_CONFIG_HOME/mayfly/targets.yaml}, else
 * {@code ~/.config/mayfly/targets.yaml}. Each top-level key names a target; its mapping holds
 * {@code provider:} and that provider's settings:
 *
 * <pre>
 * lab:
 *   provider: metaleuca
 *   url: http://cobbler.lab.example/cobbler_api
 *   user: mayfly
 *   password-env: COBBLER_PASSWORD
 * </pre>
 *
 * A missing file means no targets: the provider names themselves ({@code local}) still work.
 */
public final class Targets {
  private final Path file;
  private final Map<String, Target> byName;

  private Targets(Path file, Map<String, Target> byName) {
    this.file = file;
    this.byName = byName;
  }

  public static Targets none() {
    return new Targets(null, Map.of());
  }

  /** Where the targets file is for this environment, whether or not it exists. */
  public static Path location(Map<String, String> env) {
    String explicit = env.get("MAYFLY_TARGETS");
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    String xdg = env.get("XDG_CONFIG_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(env.getOrDefault("HOME", "."), ".config");
    return base.resolve("mayfly").resolve("targets.yaml");
  }

  /** Reads the file lazily on first use, so commands that need no target never fail on it. */
  public static Targets load(Map<String, String> env) {
    return load(location(env));
  }

  public static Targets load(Path file) {
    if (!Files.isRegularFile(file)) {
      return new Targets(file, Map.of());
    }
    Object doc;
    try {
      doc = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromString(Files.readString(file));
    } catch (IOException e) {
      throw MayflyException.badInput(file + ": cannot read: " + e.getMessage());
    } catch (YamlEngineException e) {
      throw MayflyException.badInput(file + ": not YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (doc == null) {
      return new Targets(file, Map.of());
    }
    if (!(doc instanceof Map<?, ?> top)) {
      throw MayflyException.badInput(file + ": must map target names to their settings");
    }
    Map<String, Target> targets = new TreeMap<>();
    for (Map.Entry<?, ?> e : top.entrySet()) {
      String name = String.valueOf(e.getKey());
      if (!(e.getValue() instanceof Map<?, ?> body)) {
        throw MayflyException.badInput(file + ": target '" + name + "' must be a mapping with provider: and settings");
      }
      Map<String, String> settings = new LinkedHashMap<>();
      for (Map.Entry<?, ?> s : body.entrySet()) {
        Object v = s.getValue();
        if (v instanceof Map<?, ?> || v instanceof Iterable<?>) {
          throw MayflyException.badInput(file + ": target '" + name + "': setting '" + s.getKey() + "' must be a"
              + " single value");
        }
        settings.put(String.valueOf(s.getKey()), v == null ? "" : String.valueOf(v));
      }
      String provider = settings.remove("provider");
      if (provider == null || provider.isBlank()) {
        throw MayflyException.badInput(file + ": target '" + name + "': missing 'provider:' (local, ssh, ec2,"
            + " metaleuca)");
      }
      targets.put(name, new Target(name, provider, Map.copyOf(settings)));
    }
    return new Targets(file, targets);
  }

  public Optional<Target> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public Map<String, Target> all() {
    return byName;
  }

  /** The file these came from, for messages; null for {@link #none()}. */
  public Path file() {
    return file;
  }
}
