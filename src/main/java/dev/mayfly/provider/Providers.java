package dev.mayfly.provider;

import dev.mayfly.MayflyException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The providers on the class path, by name. They load on first use: {@code list} and {@code status}
 * touch none, and loading the five (SDK wiring and all) cost them 30 ms.
 */
public final class Providers {
  private Iterable<ProviderFactory> factories;
  private Map<String, ProviderFactory> byName;

  private Providers(Iterable<ProviderFactory> factories) {
    this.factories = factories;
  }

  public static Providers installed() {
    return new Providers(ServiceLoader.load(ProviderFactory.class));
  }

  private synchronized Map<String, ProviderFactory> byName() {
    if (byName == null) {
      Map<String, ProviderFactory> loaded = new TreeMap<>();
      for (ProviderFactory factory : factories) {
        loaded.put(factory.name(), factory);
      }
      byName = loaded;
      factories = null;
    }
    return byName;
  }

  /**
   * The installed providers with some replaced by these (same name): tests inject fakes of the
   * outside world.
   */
  public Providers with(ProviderFactory... replacements) {
    Providers copy = new Providers(byName().values());
    for (ProviderFactory factory : replacements) {
      copy.byName().put(factory.name(), factory);
    }
    return copy;
  }

  /**
   * What a target of {@code provider} may set (empty: anything), or null when no such provider is
   * installed.
   */
  public Set<String> settingNames(String provider) {
    ProviderFactory factory = byName().get(provider);
    return factory == null ? null : factory.settingNames();
  }

  /**
   * How many hosts one launch on {@code provider} may ask for, as it declares; empty when it does
   * not.
   */
  public OptionalInt maxHosts(String provider) {
    return factory(provider).maxHosts();
  }

  /** The names of the installed providers, sorted. */
  public Set<String> names() {
    return Collections.unmodifiableSet(byName().keySet());
  }

  /** The commands the installed providers add to the command line, in provider-name order. */
  public List<ProviderCommands> commands() {
    return byName().values().stream().flatMap(f -> f.commands().stream()).toList();
  }

  public Provider create(String name, Path stateDir, Map<String, String> settings) {
    return factory(name).create(stateDir, settings);
  }

  public Provider create(String name, ProviderContext context) {
    return factory(name).create(context);
  }

  private ProviderFactory factory(String name) {
    ProviderFactory factory = byName().get(name);
    if (factory == null) {
      throw MayflyException.badInput(
          "--target: unknown target '"
              + name
              + "' (known: "
              + String.join(", ", byName().keySet())
              + ")");
    }
    return factory;
  }
}
