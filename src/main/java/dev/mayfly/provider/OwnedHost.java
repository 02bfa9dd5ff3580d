package dev.mayfly.provider;

import java.time.Instant;
import java.util.Optional;

/**
 * A host as the backend's own tags describe it, for the reaper.
 *
 * @param deploymentId the deployment it is tagged with
 * @param expiresAt the expiry it is tagged with, if any
 */
public record OwnedHost(String deploymentId, Optional<Instant> expiresAt, Host host) {}
