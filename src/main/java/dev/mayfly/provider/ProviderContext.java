package dev.mayfly.provider;

import dev.mayfly.host.SshAccess;
import dev.mayfly.store.Registry;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a provider is made with for one operation, on one deployment or none.
 *
 * @param stateDir mayfly's state folder (sandboxes, keys, snapshots live below it)
 * @param settings the target's settings (the targets file's, under any given by the caller);
 *     secrets appear only as references ({@code password-env}, {@code password-file}) the provider
 *     resolves
 * @param deploymentId the deployment this provider works for; null for commands on the target
 *     itself
 * @param ssh how to log in to the deployment's hosts and check their keys; providers whose hosts
 *     are reached over SSH pass it to {@code dev.mayfly.host.ssh.SshShells.open}; null where no
 *     host is opened
 * @param target the target's name as the user gave it ({@code lab}), or the provider's name
 * @param env the process environment, for the secrets a target points at
 * @param registry mayfly's registry, for providers that keep state there (bare-metal reservations)
 */
public record ProviderContext(
    Path stateDir,
    Map<String, String> settings,
    String deploymentId,
    SshAccess ssh,
    String target,
    Map<String, String> env,
    Optional<Registry> registry) {

  /**
   * The id of the registry this mayfly works for, which every resource it creates carries; empty
   * without one.
   */
  public Optional<String> registryId() {
    return registry.map(Registry::id);
  }

  /** Without a target name, environment or registry: for providers that need none of them. */
  public ProviderContext(
      Path stateDir, Map<String, String> settings, String deploymentId, SshAccess ssh) {
    this(stateDir, settings, deploymentId, ssh, null, Map.of(), Optional.empty());
  }
}
