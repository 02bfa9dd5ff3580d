package dev.mayfly.provider.ec2;

import dev.mayfly.store.StableAddresses;
import dev.mayfly.store.StableAddresses.StableAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.model.Address;
import software.amazon.awssdk.services.ec2.model.DomainType;
import software.amazon.awssdk.services.ec2.model.ResourceType;

/**
 * A deployment's stable addresses ({@code stable-address: true}): one Elastic IP per instance,
 * tagged with the registry and the deployment by the call that allocates it, so terminate and the
 * reaper find it and never touch an address without this registry's tags. A recycle moves each one
 * to the fresh instance that replaces its old one.
 */
final class Ec2Addresses {
  private final Ec2Api api;
  private final Ec2Settings settings;

  /** Where the allocations are recorded; empty for a provider made without a registry. */
  private final Optional<StableAddresses> records;

  Ec2Addresses(Ec2Api api, Ec2Settings settings, Optional<StableAddresses> records) {
    this.api = api;
    this.settings = settings;
    this.records = records;
  }

  /**
   * Gives each instance an address of the deployment: the one it has, else one not associated yet
   * (a retried launch's), else a new one.
   *
   * @return instance id to its Elastic IP
   */
  Map<String, String> attach(String deploymentId, String template, List<String> instanceIds) {
    List<Address> mine = mine(deploymentId);
    List<Address> free =
        new ArrayList<>(
            mine.stream()
                .filter(a -> a.instanceId() == null || !instanceIds.contains(a.instanceId()))
                .toList());
    Map<String, String> attached = new LinkedHashMap<>();
    for (String instance : instanceIds) {
      Optional<Address> held =
          mine.stream().filter(a -> instance.equals(a.instanceId())).findFirst();
      if (held.isPresent()) {
        attached.put(instance, held.get().publicIp());
        continue;
      }
      Address a = free.isEmpty() ? allocate(deploymentId, template) : free.remove(0);
      associate(deploymentId, a, instance);
      attached.put(instance, a.publicIp());
    }
    return attached;
  }

  /**
   * Moves the address of each of {@code oldIds} to the instance at the same position in {@code
   * freshIds}; an old instance without one leaves its fresh one on its own address.
   *
   * @return fresh instance id to the Elastic IP it has now
   */
  Map<String, String> move(String deploymentId, List<String> oldIds, List<String> freshIds) {
    List<Address> mine = mine(deploymentId);
    Map<String, String> moved = new LinkedHashMap<>();
    for (int n = 0; n < oldIds.size() && n < freshIds.size(); n++) {
      String old = oldIds.get(n);
      Optional<Address> a = mine.stream().filter(x -> old.equals(x.instanceId())).findFirst();
      if (a.isPresent()) {
        associate(deploymentId, a.get(), freshIds.get(n));
        moved.put(freshIds.get(n), a.get().publicIp());
      }
    }
    return moved;
  }

  /** Disassociates and releases every address of the deployment that is this registry's. */
  void release(String deploymentId) {
    for (Address a : mine(deploymentId)) {
      if (a.associationId() != null) {
        try {
          api.client().disassociateAddress(r -> r.associationId(a.associationId()));
        } catch (SdkException e) {
          // already gone with its instance: releasing is what matters
          if (!Ec2Errors.code(e).equals("InvalidAssociationID.NotFound")) {
            throw Ec2Errors.convert(settings, "disassociating Elastic IP " + a.publicIp(), e);
          }
        }
      }
      try {
        api.client().releaseAddress(r -> r.allocationId(a.allocationId()));
      } catch (SdkException e) {
        if (!Ec2Errors.code(e).equals("InvalidAllocationID.NotFound")) {
          throw Ec2Errors.convert(settings, "releasing Elastic IP " + a.publicIp(), e);
        }
      }
      records.ifPresent(r -> r.released(a.allocationId()));
    }
  }

  /** The deployment's addresses that carry this registry's tag; never one without it. */
  private List<Address> mine(String deploymentId) {
    String registry = api.registryId();
    return api.call(
        "looking up the Elastic IPs of " + deploymentId,
        () ->
            api.client()
                .describeAddresses(
                    r -> r.filters(Ec2Tags.registry(registry), Ec2Tags.deployment(deploymentId)))
                .addresses());
  }

  private Address allocate(String deploymentId, String template) {
    String registry = api.registryId();
    var allocated =
        api.call(
            "allocating an Elastic IP for " + deploymentId,
            () ->
                api.client()
                    .allocateAddress(
                        r ->
                            r.domain(DomainType.VPC)
                                .tagSpecifications(
                                    Ec2Tags.on(
                                        ResourceType.ELASTIC_IP,
                                        registry,
                                        deploymentId,
                                        template,
                                        null))));
    Address a =
        Address.builder()
            .allocationId(allocated.allocationId())
            .publicIp(allocated.publicIp())
            .build();
    records.ifPresent(
        r ->
            r.put(
                new StableAddress(a.allocationId(), deploymentId, a.publicIp(), Optional.empty())));
    return a;
  }

  private void associate(String deploymentId, Address a, String instanceId) {
    api.call(
        "associating Elastic IP " + a.publicIp() + " with instance " + instanceId,
        () ->
            api.client()
                .associateAddress(
                    r ->
                        r.allocationId(a.allocationId())
                            .instanceId(instanceId)
                            .allowReassociation(true)));
    records.ifPresent(
        r ->
            r.put(
                new StableAddress(
                    a.allocationId(), deploymentId, a.publicIp(), Optional.of(instanceId))));
  }
}
