package dev.mayfly.provider;

import java.time.Instant;
import java.util.Optional;

/**
 * A host a provider holds for mayfly, with the deployment id it is tagged with, so the reaper can
 * compare it with the registry.
 *
 * @param expiresAt the expiry the host itself is tagged with, where the backend has tags (EC2); it
 *     holds even when the registry lost the deployment
 * @param registryId the id of the registry that made the host, as the host itself carries it (EC2's
 *     {@code mayfly:registry} tag); empty where the backend records none or the host predates
 *     registry ids
 */
public record OwnedHost(
    String deploymentId, Host host, Optional<Instant> expiresAt, Optional<String> registryId) {
  public OwnedHost(String deploymentId, Host host) {
    this(deploymentId, host, Optional.empty(), Optional.empty());
  }
}
