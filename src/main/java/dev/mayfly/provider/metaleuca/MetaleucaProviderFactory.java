package dev.mayfly.provider.metaleuca;

import dev.mayfly.provider.Provider;
import dev.mayfly.provider.ProviderContext;
import dev.mayfly.provider.ProviderFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Bare metal through Cobbler, the Metaleuca way. Needs the registry (reservations live there). */
public final class MetaleucaProviderFactory implements ProviderFactory {
  @Override
  public String name() {
    return "metaleuca";
  }

  @Override
  public Provider create(Path stateDir, Map<String, String> settings) {
    return new MetaleucaProvider(new ProviderContext(stateDir, settings, null, null, name(), Map.of(), Optional.empty()));
  }

  @Override
  public Provider create(ProviderContext context) {
    return new MetaleucaProvider(context);
  }
}
