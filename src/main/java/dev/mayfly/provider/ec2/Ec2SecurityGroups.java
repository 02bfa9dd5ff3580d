package dev.mayfly.provider.ec2;

import dev.mayfly.MayflyException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;

/** The security group a deployment gets when its target names none. */
final class Ec2SecurityGroups {
  private final Ec2Api api;
  private final Ec2Settings settings;

  Ec2SecurityGroups(Ec2Api api, Ec2Settings settings) {
    this.api = api;
    this.settings = settings;
  }

  /**
   * The deployment's own group: the template's ports and 22, from {@code allow-from}, nothing else.
   */
  String autoGroup(String registryId, String id, Map<String, Integer> ports) {
    String name = Ec2Tags.resourceName(registryId, id);
    String groupId;
    try {
      groupId =
          api.client()
              .createSecurityGroup(
                  r -> {
                    r.groupName(name)
                        .description("mayfly deployment " + id)
                        .tagSpecifications(
                            Ec2Tags.on(ResourceType.SECURITY_GROUP, registryId, id, null, null));
                    settings.subnet().ifPresent(subnet -> r.vpcId(vpcOf(subnet)));
                  })
              .groupId();
    } catch (SdkException e) {
      if (!Ec2Errors.code(e).equals("InvalidGroup.Duplicate")) {
        throw Ec2Errors.convert(settings, "creating security group " + name, e);
      }
      return api.deploymentGroup(id)
          .map(SecurityGroup::groupId)
          .orElseThrow(
              () ->
                  MayflyException.failed(
                      "target '"
                          + settings.target()
                          + "': security group "
                          + name
                          + " exists but is not tagged with this registry and deployment "
                          + id
                          + "; remove it or name a security-group"));
    }
    Set<Integer> open = new LinkedHashSet<>();
    open.add(22);
    open.addAll(ports.values());
    List<IpPermission> permissions =
        open.stream()
            .map(
                port ->
                    IpPermission.builder()
                        .ipProtocol("tcp")
                        .fromPort(port)
                        .toPort(port)
                        .ipRanges(
                            IpRange.builder()
                                .cidrIp(settings.allowFrom())
                                .description("mayfly " + id)
                                .build())
                        .build())
            .toList();
    api.call(
        "opening ports " + open + " in " + groupId,
        () ->
            api.client()
                .authorizeSecurityGroupIngress(r -> r.groupId(groupId).ipPermissions(permissions)));
    return groupId;
  }

  private String vpcOf(String subnet) {
    return api.call(
        "looking up subnet " + subnet,
        () -> api.client().describeSubnets(r -> r.subnetIds(subnet)).subnets().get(0).vpcId());
  }
}
