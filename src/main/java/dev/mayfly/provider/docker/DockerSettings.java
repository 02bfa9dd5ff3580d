package dev.mayfly.provider.docker;

import dev.mayfly.MayflyException;
import dev.mayfly.template.Durations;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@code docker} target's settings, checked before anything is created.
 *
 * @param target the target's name, for messages
 * @param image the base image every host container starts from
 * @param dockerHost the engine's endpoint: {@code unix:///var/run/docker.sock} or {@code
 *     tcp://127.0.0.1:2375}
 * @param apiTimeout one Engine API call (not a command run inside a container)
 */
record DockerSettings(String target, String image, String dockerHost, Duration apiTimeout) {
  static final String DEFAULT_IMAGE = "mayfly/host:debian";
  static final String DEFAULT_SOCKET = "unix:///var/run/docker.sock";
  static final Set<String> NAMES = new TreeSet<>(Set.of("image", "docker-host", "api-timeout"));

  /**
   * @param env the process environment: {@code DOCKER_HOST} when the target names no engine
   */
  static DockerSettings parse(
      String target, Map<String, String> settings, Map<String, String> env) {
    String image = settings.getOrDefault("image", DEFAULT_IMAGE).strip();
    if (image.isEmpty() || image.chars().anyMatch(Character::isWhitespace)) {
      throw MayflyException.badInput(
          "targets."
              + target
              + ".image: '"
              + image
              + "' is not an image name (e.g. "
              + DEFAULT_IMAGE
              + ")");
    }
    String host = settings.get("docker-host");
    if (host == null) {
      String fromEnv = env.get("DOCKER_HOST");
      host = fromEnv == null || fromEnv.isBlank() ? DEFAULT_SOCKET : fromEnv.strip();
    }
    if (!host.startsWith("unix://") && !host.startsWith("tcp://")) {
      throw MayflyException.badInput(
          "targets."
              + target
              + ".docker-host: '"
              + host
              + "' must be unix:///PATH or tcp://HOST:PORT");
    }
    Duration apiTimeout =
        Durations.parse(
            "targets." + target + ".api-timeout", settings.getOrDefault("api-timeout", "60s"));
    return new DockerSettings(target, image, host, apiTimeout);
  }
}
