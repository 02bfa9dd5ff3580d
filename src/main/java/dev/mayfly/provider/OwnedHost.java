package dev.mayfly.provider;

/**
 * A host a provider holds for mayfly, with the deployment id it is tagged with, so the reaper can compare
 * it with the registry.
 */
public record OwnedHost(String deploymentId, Host host) {}
