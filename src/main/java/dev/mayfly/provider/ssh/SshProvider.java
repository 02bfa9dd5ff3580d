package dev.mayfly.provider.ssh;

import dev.mayfly.MayflyException;
import dev.mayfly.host.HostShell;
import dev.mayfly.host.SshAccess;
import dev.mayfly.host.SshEndpoint;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.LaunchRequest;
import dev.mayfly.provider.Launched;
import dev.mayfly.provider.OwnedHost;
import dev.mayfly.provider.Provider;
import dev.mayfly.provider.SshLogin;
import dev.mayfly.provider.Wait;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Existing servers, reached over SSH. mayfly does not own them: launch only names them, terminate
 * leaves them running (the deployment removes its own root and stops its service before this is
 * called), and the reaper never sees them. A host's id is its {@code user@addr[:port]}, so later
 * operations know where to log in from the registry alone.
 */
final class SshProvider implements Provider {
  /** null when made without a deployment, only to answer {@link #owned()} */
  private final SshAccess access;

  SshProvider(SshAccess access) {
    this.access = access;
  }

  @Override
  public Launched launch(LaunchRequest request) {
    List<String> given = request.options().getOrDefault("host", List.of());
    if (given.isEmpty()) {
      throw MayflyException.badInput(
          "--host: the ssh target needs at least one --host USER@ADDR[:PORT]");
    }
    if (request.count() != 1 && request.count() != given.size()) {
      throw MayflyException.badInput(
          "--count: the ssh target launches on each --host once ("
              + given.size()
              + " given); leave --count out");
    }
    List<Host> hosts = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String text : given) {
      SshEndpoint endpoint = SshEndpoint.parse("--host", text);
      if (!seen.add(endpoint.hostPort())) {
        throw MayflyException.badInput("--host: " + endpoint.hostPort() + " is given twice");
      }
      hosts.add(new Host(endpoint.shortName(), endpoint.host(), request.ports(), Optional.empty()));
    }
    return Launched.all(hosts);
  }

  @Override
  public List<Host> describe(String deploymentId) {
    // nothing to ask: the servers are the user's, and the registry lists the ones this deployment
    // uses
    return List.of();
  }

  @Override
  public void terminate(String deploymentId, List<Host> hosts) {
    // the servers stay: the deployment's own files and service were removed through the shell
    // already
  }

  /** The servers stay: only the clean stop through the shell ends the service. */
  @Override
  public boolean endsHosts() {
    return false;
  }

  @Override
  public HostShell open(Host host) {
    return open(host, Wait.Watcher.QUIET);
  }

  /** A login that has to retry (the server is booting, sshd not up yet) is a watched wait. */
  @Override
  public HostShell open(Host host, Wait.Watcher watcher) {
    if (access == null) {
      throw new MayflyException(
          MayflyException.Exit.INTERNAL, "ssh target made without a deployment context");
    }
    return SshLogin.open(SshEndpoint.parse("host " + host.id(), host.id()), access, watcher);
  }

  @Override
  public List<OwnedHost> owned() {
    return List.of();
  }
}
