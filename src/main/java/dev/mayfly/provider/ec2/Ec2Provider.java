package dev.mayfly.provider.ec2;

import dev.mayfly.host.HostShell;
import dev.mayfly.host.SshAccess;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.LaunchRequest;
import dev.mayfly.provider.Launched;
import dev.mayfly.provider.OwnedHost;
import dev.mayfly.provider.Provider;
import dev.mayfly.store.Registry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Instances on EC2 or an EC2-compatible cloud: the {@link Provider} face of {@link Ec2Resources}
 * (launch), {@link Ec2Teardown} (terminate), {@link Ec2Expiry} (extend) and {@link Ec2Hosts}
 * (shells) and {@link Ec2Addresses} (stable addresses), which share one {@link Ec2Api} client.
 * Everything mayfly creates there carries the registry's and the deployment's tags ({@link
 * Ec2Tags}); it creates, changes and ends only what carries its own registry's.
 */
final class Ec2Provider implements Provider {
  private final Ec2Api api;
  private final Ec2Hosts hosts;
  private final Ec2Resources resources;
  private final Ec2Teardown teardown;
  private final Ec2Expiry expiry;
  private final Ec2Addresses addresses;
  private final Optional<Registry> registry;

  /**
   * @param registryId the registry this provider works for; without one it only lists ({@link
   *     #owned()})
   * @param access the deployment's SSH identity and host keys; null when made for no deployment
   * @param registry where Elastic IP allocations and moved host keys are recorded
   */
  Ec2Provider(
      Ec2Settings settings,
      Optional<String> registryId,
      Path stateDir,
      SshAccess access,
      Ec2Wiring wiring,
      List<ExecutionInterceptor> interceptors,
      boolean resolverInjected,
      Optional<Registry> registry) {
    api = new Ec2Api(settings, registryId, wiring.listener(), interceptors);
    hosts = new Ec2Hosts(settings, wiring, resolverInjected, access);
    Ec2Waits waits = new Ec2Waits(api, settings, wiring.listener());
    this.registry = registry;
    addresses = new Ec2Addresses(api, settings, registry.map(Registry::stableAddresses));
    teardown = new Ec2Teardown(api, settings, waits, addresses);
    resources =
        new Ec2Resources(api, settings, stateDir, access, hosts, waits, teardown, addresses);
    expiry = new Ec2Expiry(api, settings, hosts);
  }

  @Override
  public Launched launch(LaunchRequest request) {
    return Launched.all(resources.launch(request));
  }

  @Override
  public List<Host> describe(String deploymentId) {
    return api.mine(deploymentId, Ec2Api.LIVE, Set.of()).stream().map(Ec2Hosts::host).toList();
  }

  @Override
  public HostShell open(Host host) {
    return hosts.open(host);
  }

  /**
   * Every instance with a {@code mayfly:deployment} tag that is not terminated, whichever registry
   * made it, with its expiry and registry tags.
   */
  @Override
  public List<OwnedHost> owned() {
    return api.allLive().stream()
        .map(
            i ->
                new OwnedHost(
                    Ec2Tags.value(i, Ec2Tags.DEPLOYMENT).orElseThrow(),
                    Ec2Hosts.host(i),
                    Ec2Tags.expiresAt(i),
                    Ec2Tags.value(i, Ec2Tags.REGISTRY)))
        .toList();
  }

  /**
   * Ends every instance of the deployment tagged with this registry, not only {@code hosts}, then
   * its group and key pair; of {@code hosts}, those without a registry tag (made before registry
   * ids) too.
   */
  @Override
  public void terminate(String deploymentId, List<Host> hosts) {
    teardown.terminate(deploymentId, hosts.stream().map(Host::id).collect(Collectors.toSet()));
  }

  /**
   * Moves the expiry tags and re-arms (or, for a null expiry, disarms) the fail-safe on each host.
   */
  @Override
  public void extend(String deploymentId, List<Host> hosts, Instant newExpiry) {
    expiry.extend(deploymentId, hosts, newExpiry);
  }

  @Override
  public void close() {
    api.close();
  }

  @Override
  public Launched launchReplacements(LaunchRequest request) {
    return Launched.all(resources.launchReplacements(request));
  }

  /** Moves each old instance's Elastic IP to its fresh one (with allow-reassociation). */
  @Override
  public List<Host> takeOver(String deploymentId, List<Host> old, List<Host> fresh) {
    Map<String, String> moved =
        addresses.move(
            deploymentId,
            old.stream().map(Host::id).toList(),
            fresh.stream().map(Host::id).toList());
    List<Host> serving = new ArrayList<>();
    for (Host h : fresh) {
      String stable = moved.get(h.id());
      if (stable == null) {
        serving.add(h);
        continue;
      }
      hosts.carryHostKey(
          h.id(),
          h.address(),
          stable,
          hostPort -> registry.ifPresent(r -> r.forgetHostKey(hostPort)));
      serving.add(new Host(h.id(), hosts.reach(h.id(), stable).address(), h.ports(), h.root()));
    }
    return serving;
  }

  @Override
  public void retire(String deploymentId, List<Host> hosts) {
    teardown.retire(deploymentId, hosts.stream().map(Host::id).collect(Collectors.toSet()));
  }

  /** Fresh instances, not a new root on an old one: a recycle is to leave nothing of the old. */
  @Override
  public boolean recyclesInPlace() {
    return false;
  }
}
