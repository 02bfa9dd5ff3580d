package dev.mayfly.provider.local;

import dev.mayfly.provider.Provider;
import dev.mayfly.provider.ProviderContext;
import dev.mayfly.provider.ProviderFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** The default target: sandboxes on this machine, no account or server needed. */
public final class LocalProviderFactory implements ProviderFactory {
  @Override
  public String name() {
    return "local";
  }

  @Override
  public Provider create(Path stateDir, Map<String, String> settings) {
    return new LocalProvider(stateDir, Optional.empty());
  }

  /** The sandboxes live in the state folder, so they are its registry's. */
  @Override
  public Provider create(ProviderContext context) {
    return new LocalProvider(context.stateDir(), context.registryId());
  }
}
