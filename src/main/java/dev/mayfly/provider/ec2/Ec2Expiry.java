package dev.mayfly.provider.ec2;

import dev.mayfly.MayflyException;
import dev.mayfly.host.HostShell;
import dev.mayfly.provider.Host;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * Moves a deployment's expiry on EC2: the {@code mayfly:expires-at} tag on its instances and
 * volumes, then the fail-safe on each host (mayfly-rearm.sh), so it powers off at the new expiry
 * plus grace.
 */
final class Ec2Expiry {
  private final Ec2Api api;
  private final Ec2Settings settings;
  private final Ec2Hosts hosts;

  Ec2Expiry(Ec2Api api, Ec2Settings settings, Ec2Hosts hosts) {
    this.api = api;
    this.settings = settings;
    this.hosts = hosts;
  }

  /**
   * @param known the hosts the registry knows, for their addresses; instances it does not know are
   *     reached at the address EC2 reports
   * @param newExpiry null for a deployment extended to never end: removes the tag and disarms the
   *     fail-safe
   */
  void extend(String deploymentId, List<Host> known, Instant newExpiry) {
    Instant expires = newExpiry == null ? null : newExpiry.truncatedTo(ChronoUnit.SECONDS);
    List<Instance> instances =
        api.mine(
            deploymentId, Ec2Api.LIVE, known.stream().map(Host::id).collect(Collectors.toSet()));
    if (instances.isEmpty()) {
      throw MayflyException.failed(
          "target '"
              + settings.target()
              + "': deployment "
              + deploymentId
              + " has no instances to extend");
    }
    retag(deploymentId, instances, expires);
    String command = UserData.rearm(expires, settings.failsafeGrace());
    List<String> failures = new ArrayList<>();
    for (Instance i : instances) {
      Host host =
          known.stream()
              .filter(h -> h.id().equals(i.instanceId()))
              .findFirst()
              .orElseGet(() -> Ec2Hosts.host(i));
      List<String> output = new ArrayList<>();
      try (HostShell shell = hosts.open(host)) {
        HostShell.ExecResult result = shell.exec(command, Duration.ofMinutes(1), output::add);
        if (!result.ok()) {
          failures.add(
              i.instanceId()
                  + " (exit "
                  + result.exitCode()
                  + (output.isEmpty() ? "" : ": " + output.get(output.size() - 1))
                  + ")");
        }
      } catch (MayflyException e) {
        failures.add(i.instanceId() + " (" + e.getMessage() + ")");
      }
    }
    if (!failures.isEmpty()) {
      throw MayflyException.failed(
          "target '"
              + settings.target()
              + "': expiry tags "
              + (expires == null ? "removed" : "moved to " + expires)
              + " but the fail-safe was not "
              + (expires == null ? "disarmed" : "re-armed")
              + " on "
              + String.join(", ", failures)
              + "; those instances still power off at the old expiry plus grace");
    }
  }

  private void retag(String deploymentId, List<Instance> instances, Instant expires) {
    List<String> resources = new ArrayList<>();
    for (Instance i : instances) {
      resources.add(i.instanceId());
      i.blockDeviceMappings().stream()
          .filter(b -> b.ebs() != null)
          .forEach(b -> resources.add(b.ebs().volumeId()));
    }
    if (expires == null) {
      api.call(
          "removing the expiry tag of " + deploymentId,
          () ->
              api.client()
                  .deleteTags(
                      r ->
                          r.resources(resources).tags(Tag.builder().key(Ec2Tags.EXPIRES).build())));
    } else {
      api.call(
          "moving the expiry tag of " + deploymentId,
          () ->
              api.client()
                  .createTags(
                      r ->
                          r.resources(resources)
                              .tags(
                                  Tag.builder()
                                      .key(Ec2Tags.EXPIRES)
                                      .value(expires.toString())
                                      .build())));
    }
  }
}
