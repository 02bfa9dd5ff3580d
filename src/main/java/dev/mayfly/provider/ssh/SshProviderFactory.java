package dev.mayfly.provider.ssh;

import dev.mayfly.MayflyException;
import dev.mayfly.provider.Provider;
import dev.mayfly.provider.ProviderContext;
import dev.mayfly.provider.ProviderFactory;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code ssh} target: servers that exist already, given with {@code --host user@addr[:port]}.
 */
public final class SshProviderFactory implements ProviderFactory {
  @Override
  public String name() {
    return "ssh";
  }

  /**
   * Without a deployment (the reaper asking what mayfly owns): a provider that owns nothing and
   * logs in nowhere.
   */
  @Override
  public Provider create(Path stateDir, Map<String, String> settings) {
    return new SshProvider(null);
  }

  /**
   * With no SSH access in the context (the reaper, work on the target itself), as without a
   * deployment.
   */
  @Override
  public Provider create(ProviderContext context) {
    if (context.ssh() == null) {
      return create(context.stateDir(), context.settings());
    }
    if (context.ssh().identity().generated()) {
      throw MayflyException.badInput(
          "--identity: the ssh target logs in to servers you already run, so it needs"
              + " a key they accept: --identity ~/.ssh/id_ed25519 (a private key file) or --identity agent");
    }
    return new SshProvider(context.ssh());
  }
}
