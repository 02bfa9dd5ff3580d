package dev.mayfly.provider.ec2;

import dev.mayfly.host.HostShell;
import dev.mayfly.host.SshAccess;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.LaunchRequest;
import dev.mayfly.provider.Launched;
import dev.mayfly.provider.OwnedHost;
import dev.mayfly.provider.Provider;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Instances on EC2 or an EC2-compatible cloud: the {@link Provider} face of {@link Ec2Resources} (launch),
 * {@link Ec2Teardown} (terminate), {@link Ec2Expiry} (extend) and {@link Ec2Hosts} (shells), which share
 * one {@link Ec2Api} client. Everything mayfly creates there carries the deployment's tags ({@link Ec2Tags}).
 */
final class Ec2Provider implements Provider {
  private final Ec2Api api;
  private final Ec2Hosts hosts;
  private final Ec2Resources resources;
  private final Ec2Teardown teardown;
  private final Ec2Expiry expiry;

  /** @param access the deployment's SSH identity and host keys; null when made for no deployment */
  Ec2Provider(Ec2Settings settings, Path stateDir, SshAccess access, Ec2Wiring wiring,
      List<ExecutionInterceptor> interceptors, boolean resolverInjected) {
    api = new Ec2Api(settings, wiring.listener(), interceptors);
    hosts = new Ec2Hosts(settings, wiring, resolverInjected, access);
    Ec2Waits waits = new Ec2Waits(api, settings, wiring.listener());
    teardown = new Ec2Teardown(api, settings, waits);
    resources = new Ec2Resources(api, settings, stateDir, access, hosts, waits, teardown);
    expiry = new Ec2Expiry(api, settings, hosts);
  }

  @Override
  public Launched launch(LaunchRequest request) {
    return Launched.all(resources.launch(request));
  }

  @Override
  public List<Host> describe(String deploymentId) {
    return api.tagged(deploymentId, Ec2Api.LIVE).stream().map(Ec2Hosts::host).toList();
  }

  @Override
  public HostShell open(Host host) {
    return hosts.open(host);
  }

  /** Every instance with a {@code mayfly:deployment} tag that is not terminated, with its expiry tag. */
  @Override
  public List<OwnedHost> owned() {
    return api.allLive().stream().map(i -> new OwnedHost(Ec2Tags.value(i, Ec2Tags.DEPLOYMENT).orElseThrow(),
        Ec2Hosts.host(i), Ec2Tags.expiresAt(i), Ec2Tags.value(i, Ec2Tags.REGISTRY))).toList();
  }

  /** Ends every instance tagged with the deployment, not only {@code hosts}, then its group and key pair. */
  @Override
  public void terminate(String deploymentId, List<Host> hosts) {
    teardown.terminate(deploymentId);
  }

  /** Moves the expiry tags and re-arms (or, for a null expiry, disarms) the fail-safe on each host. */
  @Override
  public void extend(String deploymentId, List<Host> hosts, Instant newExpiry) {
    expiry.extend(deploymentId, hosts, newExpiry);
  }

  @Override
  public void close() {
    api.close();
  }
}
