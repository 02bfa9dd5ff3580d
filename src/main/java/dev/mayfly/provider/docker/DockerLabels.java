package dev.mayfly.provider.docker;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How mayfly marks what it creates on a Docker engine, as EC2 tags do: every container, volume and
 * network carries the registry's and the deployment's labels from the call that creates it, so the
 * reaper finds it and a registry tells its own from another's. Resource names carry the registry
 * id's first 8 hex digits, so two registries' deployments of one id never clash.
 */
final class DockerLabels {
  static final String DEPLOYMENT = "mayfly:deployment";
  static final String REGISTRY = "mayfly:registry";
  static final String TEMPLATE = "mayfly:template";
  static final String EXPIRES = "mayfly:expires-at";

  /** Which host of the deployment a container or its volume is: {@code 1}, {@code 2}. */
  static final String HOST = "mayfly:host";

  private DockerLabels() {}

  /**
   * @param template null on resources that serve the whole deployment (its network)
   * @param expires null when it never expires
   */
  static Map<String, String> of(
      String registryId, String deploymentId, String template, Instant expires) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(REGISTRY, registryId);
    labels.put(DEPLOYMENT, deploymentId);
    if (template != null) {
      labels.put(TEMPLATE, template);
    }
    if (expires != null) {
      labels.put(EXPIRES, expires.toString());
    }
    return labels;
  }

  /** The name prefix of everything of one deployment of one registry. */
  static String prefix(String registryId, String deploymentId) {
    return "mayfly-" + registryId.substring(0, 8) + "-" + deploymentId;
  }

  /** A label filter for one deployment of one registry. */
  static List<String> mine(String registryId, String deploymentId) {
    return List.of(REGISTRY + "=" + registryId, DEPLOYMENT + "=" + deploymentId);
  }

  /** A label filter for anything of any mayfly deployment, whichever registry made it. */
  static List<String> anyDeployment() {
    return List.of(DEPLOYMENT);
  }

  static Optional<String> value(Map<String, String> labels, String key) {
    return Optional.ofNullable(labels == null ? null : labels.get(key));
  }

  /** The expiry label; empty when missing or not an instant. */
  static Optional<Instant> expiresAt(Map<String, String> labels) {
    try {
      return value(labels, EXPIRES).map(Instant::parse);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
