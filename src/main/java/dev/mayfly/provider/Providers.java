package dev.mayfly.provider;

import dev.mayfly.MayflyException;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The providers on the class path, by name. */
public final class Providers {
  private final Map<String, ProviderFactory> byName = new TreeMap<>();

  private Providers() {
    for (ProviderFactory factory : ServiceLoader.load(ProviderFactory.class)) {
      byName.put(factory.name(), factory);
    }
  }

  public static Providers installed() {
    return new Providers();
  }

  /** The names of the installed providers, sorted. */
  public java.util.Set<String> names() {
    return java.util.Collections.unmodifiableSet(byName.keySet());
  }

  public Provider create(String name, Path stateDir, Map<String, String> settings) {
    return factory(name).create(stateDir, settings);
  }

  public Provider create(String name, ProviderContext context) {
    return factory(name).create(context);
  }

  private ProviderFactory factory(String name) {
    ProviderFactory factory = byName.get(name);
    if (factory == null) {
      throw MayflyException.badInput(
          "--target: unknown target '" + name + "' (known: " + String.join(", ", byName.keySet()) + ")");
    }
    return factory;
  }
}
