package dev.mayfly.deploy;

import dev.mayfly.host.HostKeys;
import dev.mayfly.store.Registry;
import java.time.Instant;
import java.util.Optional;

/** Host keys pinned in the registry, shared by every deployment and every mayfly process on it. */
final class RegistryHostKeys implements HostKeys {
  private final Registry registry;

  RegistryHostKeys(Registry registry) {
    this.registry = registry;
  }

  @Override
  public Optional<PinnedKey> pinned(String hostPort) {
    return registry.hostKey(hostPort).map(RegistryHostKeys::key);
  }

  @Override
  public PinnedKey pinIfAbsent(String hostPort, PinnedKey offered) {
    return key(
        registry.pinHostKey(
            new Registry.HostKeyRow(
                hostPort,
                offered.algorithm(),
                offered.fingerprint(),
                offered.publicKey(),
                Instant.now())));
  }

  private static PinnedKey key(Registry.HostKeyRow row) {
    return new PinnedKey(row.algorithm(), row.fingerprint(), row.publicKey());
  }
}
