package dev.mayfly.provider.ec2;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * How mayfly marks what it creates on EC2, so the reaper can find it and a registry can tell its
 * own from another's: the tags each resource gets from the call that creates it (registry and
 * deployment), the filters that find them, and the name of a deployment's key pair and group.
 */
final class Ec2Tags {
  static final String DEPLOYMENT = "mayfly:deployment";
  static final String REGISTRY = "mayfly:registry";
  static final String TEMPLATE = "mayfly:template";
  static final String EXPIRES = "mayfly:expires-at";

  private Ec2Tags() {}

  /**
   * The name of the deployment's key pair and of its own security group: with the registry id's
   * first 8 hex digits, so two registries' deployments of the same id never clash.
   */
  static String resourceName(String registryId, String deploymentId) {
    return "mayfly-" + registryId.substring(0, 8) + "-" + deploymentId;
  }

  /**
   * @param template null on resources that serve the whole deployment (key pair, group)
   * @param expires null when it never expires, or on resources the reaper finds through the
   *     instances
   */
  static TagSpecification on(
      ResourceType type, String registryId, String deploymentId, String template, Instant expires) {
    List<Tag> tags = new ArrayList<>();
    tags.add(Tag.builder().key(REGISTRY).value(registryId).build());
    tags.add(Tag.builder().key(DEPLOYMENT).value(deploymentId).build());
    if (template != null) {
      tags.add(Tag.builder().key(TEMPLATE).value(template).build());
    }
    if (expires != null) {
      tags.add(Tag.builder().key(EXPIRES).value(expires.toString()).build());
    }
    tags.add(Tag.builder().key("Name").value(deploymentId).build());
    return TagSpecification.builder().resourceType(type).tags(tags).build();
  }

  /** Resources of this deployment. */
  static Filter deployment(String deploymentId) {
    return Filter.builder().name("tag:" + DEPLOYMENT).values(deploymentId).build();
  }

  /** Resources of this registry. */
  static Filter registry(String registryId) {
    return Filter.builder().name("tag:" + REGISTRY).values(registryId).build();
  }

  /** Resources of any mayfly deployment. */
  static Filter anyDeployment() {
    return Filter.builder().name("tag-key").values(DEPLOYMENT).build();
  }

  static Optional<String> value(Instance i, String key) {
    return i.tags().stream().filter(t -> t.key().equals(key)).map(Tag::value).findFirst();
  }

  /** The instance's expiry tag; empty when missing or not an instant. */
  static Optional<Instant> expiresAt(Instance i) {
    try {
      return value(i, EXPIRES).map(Instant::parse);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
