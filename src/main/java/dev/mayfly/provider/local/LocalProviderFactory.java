package dev.mayfly.provider.local;

import dev.mayfly.provider.Provider;
import dev.mayfly.provider.ProviderFactory;
import java.nio.file.Path;
import java.util.Map;

/** The default target: sandboxes on this machine, no account or server needed. */
public final class LocalProviderFactory implements ProviderFactory {
  @Override
  public String name() {
    return "local";
  }

  @Override
  public Provider create(Path stateDir, Map<String, String> settings) {
    return new LocalProvider(stateDir);
  }
}
