package dev.mayfly.provider.ec2;

import dev.mayfly.MayflyException;
import dev.mayfly.host.SshAccess;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.LaunchRequest;
import dev.mayfly.provider.Wait;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.ShutdownBehavior;

/**
 * What a launch creates, each resource tagged with the registry and the deployment by the call that
 * creates it, so a launch that dies half-way leaves nothing the reaper cannot find: the key pair,
 * the deployment's security group (unless the target names one), then one RunInstances for all
 * missing instances with a ClientToken derived from the registry and deployment ids. This
 * registry's instances already tagged with the deployment are adopted, so a retried launch starts
 * only the missing ones and ends any beyond N.
 */
final class Ec2Resources {
  private final Ec2Api api;
  private final Ec2Settings settings;
  private final Ec2KeyPairs keyPairs;
  private final Ec2SecurityGroups groups;
  private final Ec2Hosts hosts;
  private final Ec2Waits waits;
  private final Ec2Teardown teardown;
  private final Ec2Addresses addresses;

  /**
   * @param access the deployment's SSH identity; null when made for no deployment
   */
  Ec2Resources(
      Ec2Api api,
      Ec2Settings settings,
      Path stateDir,
      SshAccess access,
      Ec2Hosts hosts,
      Ec2Waits waits,
      Ec2Teardown teardown,
      Ec2Addresses addresses) {
    this.api = api;
    this.settings = settings;
    this.keyPairs = new Ec2KeyPairs(api, settings, stateDir, access);
    this.groups = new Ec2SecurityGroups(api, settings);
    this.hosts = hosts;
    this.waits = waits;
    this.teardown = teardown;
    this.addresses = addresses;
  }

  /**
   * The deployment's N hosts once running with sshd open; on failure, ends whatever it has on the
   * cloud.
   */
  List<Host> launch(LaunchRequest request) {
    String id = request.deploymentId();
    String registryId = api.registryId();
    boolean created = false;
    try {
      Optional<String> keyName = keyPairs.importKey(registryId, id);
      created = true;
      String group =
          settings
              .securityGroup()
              .orElseGet(() -> groups.autoGroup(registryId, id, request.ports()));
      List<Instance> existing = api.mine(id, Ec2Api.LIVE, Set.of());
      List<String> kept =
          new ArrayList<>(
              existing.stream()
                  .sorted(
                      Comparator.comparing(
                          Instance::launchTime, Comparator.nullsLast(Comparator.naturalOrder())))
                  .map(Instance::instanceId)
                  .limit(request.count())
                  .toList());
      if (kept.size() < request.count()) {
        kept.addAll(
            run(
                request,
                request.count() - kept.size(),
                clientToken(registryId, id, kept.size()),
                keyName,
                group));
        existing = api.mine(id, Ec2Api.LIVE, Set.of());
      }
      endSurplus(id, existing, kept);
      List<Instance> running = waits.running(id, kept, request.watcher());
      Map<String, String> stable =
          stableAddress(request) ? addresses.attach(id, request.template(), kept) : Map.of();
      return reachable(running, stable, request.ports(), request.watcher());
    } catch (MayflyException e) {
      if (!created) {
        throw e;
      }
      // leave nothing behind: end whatever this deployment has on the cloud, then say so
      try {
        teardown.terminate(id, Set.of());
      } catch (MayflyException cleanup) {
        throw new MayflyException(
            e.exit(),
            e.getMessage()
                + "; cleaning up failed too ("
                + cleanup.getMessage()
                + "): `mayfly reap` will retry",
            e);
      }
      throw new MayflyException(
          e.exit(), e.getMessage() + "; nothing of " + id + " was left running", e);
    }
  }

  /**
   * A recycle's fresh instances, started beside the deployment's live ones (which it never
   * touches), running with sshd open; on failure it ends the fresh ones and throws.
   */
  List<Host> launchReplacements(LaunchRequest request) {
    String id = request.deploymentId();
    String registryId = api.registryId();
    Optional<String> keyName = keyPairs.importKey(registryId, id);
    String group =
        settings.securityGroup().orElseGet(() -> groups.autoGroup(registryId, id, request.ports()));
    // a token of its own: the launch's would hand back the instances the launch started
    String token =
        clientToken(registryId, id, 0) + "-r" + UUID.randomUUID().toString().substring(0, 8);
    if (token.length() > 64) {
      token = token.substring(token.length() - 64); // EC2's limit; the random end keeps it unique
    }
    List<String> fresh = run(request, request.count(), token, keyName, group);
    try {
      List<Instance> running = waits.running(id, fresh, request.watcher());
      return reachable(running, Map.of(), request.ports(), request.watcher());
    } catch (MayflyException e) {
      try {
        teardown.retire(id, Set.copyOf(fresh));
      } catch (MayflyException cleanup) {
        throw new MayflyException(
            e.exit(),
            e.getMessage()
                + "; ending the fresh instances "
                + fresh
                + " failed too ("
                + cleanup.getMessage()
                + "): `mayfly terminate` ends them with the deployment",
            e);
      }
      throw new MayflyException(
          e.exit(), e.getMessage() + "; the fresh instances " + fresh + " were ended", e);
    }
  }

  /** {@code stable-address: true} in the target, or from the template as a launch option. */
  private boolean stableAddress(LaunchRequest request) {
    return settings.stableAddress()
        || request.options().getOrDefault("stable-address", List.of()).contains("true");
  }

  /**
   * The running instances as hosts, once each one's sshd accepts connections.
   *
   * @param stable instance id to its Elastic IP, for those that have one
   */
  private List<Host> reachable(
      List<Instance> running,
      Map<String, String> stable,
      Map<String, Integer> ports,
      Wait.Watcher watcher) {
    Map<String, Ec2Wiring.Reach> reach = new LinkedHashMap<>();
    for (Instance i : running) {
      String address = stable.getOrDefault(i.instanceId(), Ec2Hosts.address(i));
      reach.put(i.instanceId(), hosts.reach(i.instanceId(), address));
    }
    waits.sshOpen(reach, watcher);
    List<Host> reachable = new ArrayList<>();
    for (Instance i : running) {
      reachable.add(
          new Host(i.instanceId(), reach.get(i.instanceId()).address(), ports, Optional.empty()));
    }
    return reachable;
  }

  /**
   * Ends this registry's instances of the deployment beyond the N kept: those of an earlier attempt
   * beyond N, and those a RunInstances retried after a lost answer started twice on a cloud that
   * ignores ClientToken.
   */
  private void endSurplus(String id, List<Instance> existing, List<String> kept) {
    List<String> surplus =
        existing.stream().map(Instance::instanceId).filter(i -> !kept.contains(i)).toList();
    if (!surplus.isEmpty()) {
      api.call(
          "ending "
              + surplus.size()
              + " instance(s) of "
              + id
              + " beyond the "
              + kept.size()
              + " asked for",
          () -> api.client().terminateInstances(r -> r.instanceIds(surplus)));
    }
  }

  /**
   * Idempotent per batch: a retried RunInstances for the same missing instances starts nothing
   * twice. Two registries' deployments of the same id get different tokens, so neither is handed
   * the other's instances.
   */
  private static String clientToken(String registryId, String deploymentId, int alreadyRunning) {
    return Ec2Tags.resourceName(registryId, deploymentId)
        + (alreadyRunning == 0 ? "" : "-" + alreadyRunning);
  }

  /**
   * @param token the ClientToken: the same one starts nothing twice
   * @return the ids of the instances started
   */
  private List<String> run(
      LaunchRequest request, int count, String token, Optional<String> keyName, String group) {
    String id = request.deploymentId();
    String registryId = api.registryId();
    Instant expires =
        request.expiresAt() == null ? null : request.expiresAt().truncatedTo(ChronoUnit.SECONDS);
    String userData = UserData.base64(UserData.render(id, expires, settings.failsafeGrace()));
    return api
        .call(
            "starting " + count + " instance(s) of " + settings.image(),
            () ->
                api.client()
                    .runInstances(
                        r -> {
                          r.imageId(settings.image())
                              .instanceType(settings.instanceType())
                              .minCount(count)
                              .maxCount(count)
                              .clientToken(token)
                              .keyName(keyName.orElse(null))
                              .securityGroupIds(group)
                              .userData(userData)
                              .instanceInitiatedShutdownBehavior(ShutdownBehavior.TERMINATE)
                              .tagSpecifications(
                                  Ec2Tags.on(
                                      ResourceType.INSTANCE,
                                      registryId,
                                      id,
                                      request.template(),
                                      expires),
                                  Ec2Tags.on(
                                      ResourceType.VOLUME,
                                      registryId,
                                      id,
                                      request.template(),
                                      expires));
                          settings.subnet().ifPresent(r::subnetId);
                        }))
        .instances()
        .stream()
        .map(Instance::instanceId)
        .toList();
  }
}
