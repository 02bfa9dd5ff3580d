package dev.mayfly.provider.ec2;

import dev.mayfly.provider.Wait;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * Ends a deployment on the cloud: every instance of it that is this registry's (those the registry
 * knows and any a crashed launch left), then, once they are terminated, its own security group and
 * key pair, and its Elastic IPs. What carries another registry's tag is never touched, even under
 * the same deployment id.
 */
final class Ec2Teardown {
  private final Ec2Api api;
  private final Ec2Settings settings;
  private final Ec2Waits waits;
  private final Ec2Addresses addresses;

  Ec2Teardown(Ec2Api api, Ec2Settings settings, Ec2Waits waits, Ec2Addresses addresses) {
    this.api = api;
    this.settings = settings;
    this.waits = waits;
    this.addresses = addresses;
  }

  /**
   * Done only once the instances are terminated and the group and key pair deleted; any failure
   * throws, so a repeated terminate (or the reaper) finishes it.
   *
   * @param known the instance ids the registry recorded: they are ended even without a registry tag
   */
  void terminate(String deploymentId, Set<String> known) {
    // the addresses first: a terminate that dies after them leaves instances the reaper finds
    addresses.release(deploymentId);
    end(
        deploymentId,
        api.mine(deploymentId, Ec2Api.NOT_TERMINATED, known).stream()
            .map(Instance::instanceId)
            .toList());
    if (settings.securityGroup().isEmpty()) {
      api.deploymentGroup(deploymentId).ifPresent(group -> deleteGroup(group.groupId()));
    }
    api.deploymentKeyPair(deploymentId).ifPresent(key -> deleteKeyPair(key.keyName()));
  }

  /**
   * Ends those of {@code hostIds} that are this registry's instances of the deployment, and nothing
   * the deployment shares.
   */
  void retire(String deploymentId, Set<String> hostIds) {
    end(
        deploymentId,
        api.mine(deploymentId, Ec2Api.NOT_TERMINATED, hostIds).stream()
            .map(Instance::instanceId)
            .filter(hostIds::contains)
            .toList());
  }

  private void end(String deploymentId, List<String> ids) {
    if (!ids.isEmpty()) {
      api.call(
          "terminating " + ids.size() + " instance(s)",
          () -> api.client().terminateInstances(r -> r.instanceIds(ids)));
      waits.terminated(deploymentId, ids);
    }
  }

  /** "security group deleted": retried while EC2 still counts a terminated instance as using it. */
  private void deleteGroup(String groupId) {
    Wait.until(
        "security group deleted",
        settings.terminateTimeout(),
        settings.poll(),
        () -> {
          try {
            api.client().deleteSecurityGroup(r -> r.groupId(groupId));
            return Wait.Probe.done(true);
          } catch (SdkException e) {
            if (Ec2Errors.code(e).equals("DependencyViolation")) {
              return Wait.Probe.notYet(groupId + " still in use");
            }
            throw Ec2Errors.convert(settings, "deleting security group " + groupId, e);
          }
        });
  }

  private void deleteKeyPair(String name) {
    try {
      api.client().deleteKeyPair(r -> r.keyName(name));
    } catch (SdkException e) {
      if (!Ec2Errors.code(e).equals("InvalidKeyPair.NotFound")) {
        throw Ec2Errors.convert(settings, "deleting key pair " + name, e);
      }
    }
  }
}
