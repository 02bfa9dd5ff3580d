package dev.mayfly.provider;

import dev.mayfly.MayflyException;
import dev.mayfly.store.Registry;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The providers on the class path, by name, and the targets that configure them: a target name from the
 * targets file ({@code lab}) or a provider's own name ({@code local}) both work wherever a target goes.
 */
public final class Providers {
  private final Map<String, ProviderFactory> byName;
  private final Targets targets;
  private final Map<String, String> env;
  private final Optional<Registry> registry;

  private Providers(Map<String, ProviderFactory> byName, Targets targets, Map<String, String> env,
      Optional<Registry> registry) {
    this.byName = byName;
    this.targets = targets;
    this.env = env;
    this.registry = registry;
  }

  public static Providers installed() {
    Map<String, ProviderFactory> byName = new TreeMap<>();
    for (ProviderFactory factory : ServiceLoader.load(ProviderFactory.class)) {
      byName.put(factory.name(), factory);
    }
    return new Providers(byName, Targets.none(), Map.of(), Optional.empty());
  }

  /** The same providers, configured by {@code targets}, with the environment and registry they may need. */
  public Providers configured(Targets targets, Map<String, String> env, Registry registry) {
    return new Providers(byName, targets, Map.copyOf(env), Optional.ofNullable(registry));
  }

  /**
   * @param target a target name from the targets file, or a provider name
   * @param settings extra settings over the target's own
   */
  public Provider create(String target, Path stateDir, Map<String, String> settings) {
    return create(target, new ProviderContext(stateDir, settings, null, null));
  }

  /**
   * The provider for {@code target} (a target name from the targets file, or a provider name), with the
   * target's settings under the context's, and this mayfly's environment and registry.
   */
  public Provider create(String target, ProviderContext context) {
    String provider = providerOf(target);
    Map<String, String> merged = new LinkedHashMap<>(targets.find(target).map(Target::settings).orElse(Map.of()));
    merged.putAll(context.settings());
    return byName.get(provider).create(new ProviderContext(context.stateDir(), Map.copyOf(merged),
        context.deploymentId(), context.ssh(), target, env, registry));
  }

  /**
   * What a provider for {@code target} is made with, for provider-specific commands.
   *
   * @param requiredProvider null, or the provider the target must use ({@code metaleuca})
   */
  public ProviderContext context(String target, Path stateDir, String requiredProvider) {
    String provider = providerOf(target);
    if (requiredProvider != null && !requiredProvider.equals(provider)) {
      List<String> fitting = targets.all().values().stream().filter(t -> t.provider().equals(requiredProvider))
          .map(Target::name).toList();
      throw MayflyException.badInput("--target: '" + target + "' is a " + provider + " target, not " + requiredProvider
          + " (" + requiredProvider + " targets: " + (fitting.isEmpty() ? "none in " + targets.file()
          : String.join(", ", fitting)) + ")");
    }
    Map<String, String> settings = targets.find(target).map(Target::settings).orElse(Map.of());
    return new ProviderContext(stateDir, settings, null, null, target, env, registry);
  }

  /** The one target of {@code provider} in the targets file, when there is exactly one. */
  public Optional<String> onlyTargetOf(String provider) {
    List<String> names = targets.all().values().stream().filter(t -> t.provider().equals(provider))
        .map(Target::name).toList();
    return names.size() == 1 ? Optional.of(names.get(0)) : Optional.empty();
  }

  private String providerOf(String target) {
    Optional<Target> named = targets.find(target);
    String provider = named.map(Target::provider).orElse(target);
    ProviderFactory factory = byName.get(provider);
    if (factory == null) {
      if (named.isPresent()) {
        throw MayflyException.badInput(targets.file() + ": target '" + target + "': unknown provider '" + provider
            + "' (known: " + String.join(", ", byName.keySet()) + ")");
      }
      TreeSet<String> known = new TreeSet<>(byName.keySet());
      known.addAll(targets.all().keySet());
      throw MayflyException.badInput("--target: unknown target '" + target + "' (known: " + String.join(", ", known)
          + (targets.file() == null ? "" : "; targets are defined in " + targets.file()) + ")");
    }
    return provider;
  }
}
