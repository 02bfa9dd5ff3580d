package dev.mayfly.provider.local;

import dev.mayfly.provider.Provider;
import dev.mayfly.provider.ProviderContext;
import dev.mayfly.provider.ProviderFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** The default target: sandboxes on this machine, no account or server needed. */
public final class LocalProviderFactory implements ProviderFactory {
  @Override
  public String name() {
    return "local";
  }

  /** Each sandbox runs the whole service on this machine: more than a few is a typo, not a test. */
  @Override
  public OptionalInt maxHosts() {
    return OptionalInt.of(16);
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
