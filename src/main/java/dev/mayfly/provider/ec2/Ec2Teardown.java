package dev.mayfly.provider.ec2;

import dev.mayfly.provider.Wait;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * Ends a deployment on the cloud: every instance tagged with it (those the registry knows and any a crashed
 * launch left), then, once they are terminated, its own security group and key pair.
 */
final class Ec2Teardown {
  private final Ec2Api api;
  private final Ec2Settings settings;
  private final Ec2Waits waits;

  Ec2Teardown(Ec2Api api, Ec2Settings settings, Ec2Waits waits) {
    this.api = api;
    this.settings = settings;
    this.waits = waits;
  }

  void terminate(String deploymentId) {
    List<String> ids = api.tagged(deploymentId, Ec2Api.NOT_TERMINATED).stream().map(Instance::instanceId).toList();
    if (!ids.isEmpty()) {
      api.call("terminating " + ids.size() + " instance(s)",
          () -> api.client().terminateInstances(r -> r.instanceIds(ids)));
      waits.terminated(deploymentId);
    }
    if (settings.securityGroup().isEmpty()) {
      api.deploymentGroup(deploymentId).ifPresent(group -> deleteGroup(group.groupId()));
    }
    deleteKeyPair(Ec2Tags.resourceName(deploymentId));
  }

  /** "security group deleted": retried while EC2 still counts a terminated instance as using it. */
  private void deleteGroup(String groupId) {
    Wait.until("security group deleted", settings.terminateTimeout(), settings.poll(), () -> {
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
