package dev.mayfly.provider;

import java.time.Instant;
import java.util.Map;

/**
 * @param ports the template's ports (name to number)
 * @param options provider-specific settings from the command line or the target (e.g. {@code host})
 * @param watcher hears the provider's long waits (instances running, ssh port open, installed)
 */
public record LaunchRequest(
    String deploymentId,
    String template,
    int count,
    Map<String, Integer> ports,
    Instant expiresAt,
    Map<String, java.util.List<String>> options,
    Wait.Watcher watcher) {

  /** A launch nobody watches. */
  public LaunchRequest(
      String deploymentId,
      String template,
      int count,
      Map<String, Integer> ports,
      Instant expiresAt,
      Map<String, java.util.List<String>> options) {
    this(deploymentId, template, count, ports, expiresAt, options, Wait.Watcher.QUIET);
  }
}
