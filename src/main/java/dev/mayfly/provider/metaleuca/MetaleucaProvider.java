package dev.mayfly.provider.metaleuca;

import dev.mayfly.MayflyException;
import dev.mayfly.host.HostShell;
import dev.mayfly.host.SshEndpoint;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.LaunchRequest;
import dev.mayfly.provider.Launched;
import dev.mayfly.provider.OwnedHost;
import dev.mayfly.provider.Provider;
import dev.mayfly.provider.ProviderContext;
import dev.mayfly.provider.SshLogin;
import dev.mayfly.provider.Wait;
import dev.mayfly.store.Reservations;
import dev.mayfly.store.Reservations.Reservation;
import java.util.List;
import java.util.Optional;

/**
 * Bare-metal machines from a Cobbler pool, as Metaleuca's run-instances did it: reserve N free
 * machines of a group (in the registry, transactionally), claim them in Cobbler against other
 * registries ({@link CobblerClaims}), set the profile, enable netboot, power-reboot, wait until the
 * install clears netboot. The reservation exists before Cobbler is touched, so a crash at any later
 * point leaves a reservation that {@link #owned()} (and `metal instances`) shows.
 */
final class MetaleucaProvider implements Provider {
  private final ProviderContext context;

  MetaleucaProvider(ProviderContext context) {
    this.context = context;
  }

  @Override
  public Launched launch(LaunchRequest request) {
    try (MetalPool pool = MetalPool.open(context)) {
      String group =
          option(request, "group")
              .or(() -> pool.settings().group())
              .orElseThrow(
                  () ->
                      MayflyException.badInput(
                          "--group: target '"
                              + pool.target()
                              + "' needs a group (see `mayfly metal groups`)"));
      String profile =
          option(request, "profile")
              .or(() -> pool.settings().profile())
              .orElseThrow(
                  () ->
                      MayflyException.badInput(
                          "--profile: target '"
                              + pool.target()
                              + "' needs a profile (see `mayfly metal"
                              + " profiles`)"));
      List<MetalSystem> machines =
          pool.provisioning().reserve(request.deploymentId(), request.count(), group, profile);
      List<MetalSystem> toInstall =
          machines.stream()
              .filter(m -> !m.profile().equals(profile) || m.netbootEnabled())
              .toList();
      if (!toInstall.isEmpty()) {
        pool.provisioning().provision(toInstall, profile);
      }
      pool.provisioning().awaitInstalled(machines, request.watcher());
      return Launched.all(
          machines.stream().map(m -> host(m.name(), m.address(), request)).toList());
    }
  }

  private static Optional<String> option(LaunchRequest request, String name) {
    List<String> values = request.options().getOrDefault(name, List.of());
    return values.isEmpty() ? Optional.empty() : Optional.of(values.get(values.size() - 1));
  }

  private static Host host(String system, String address, LaunchRequest request) {
    return new Host(system, address, request.ports(), Optional.empty());
  }

  @Override
  public List<Host> describe(String deploymentId) {
    return reservations().forDeployment(deploymentId).stream()
        .map(r -> new Host(r.systemName(), r.address(), java.util.Map.of(), Optional.empty()))
        .toList();
  }

  @Override
  public void terminate(String deploymentId, List<Host> hosts) {
    try (MetalPool pool = MetalPool.open(context)) {
      pool.provisioning().release(deploymentId);
    }
  }

  /**
   * Over SSH to the machine's ip_address, as the target's {@code ssh-user} (default root), port
   * {@code ssh-port}.
   */
  @Override
  public HostShell open(Host host) {
    return open(host, Wait.Watcher.QUIET);
  }

  /** A machine still rebooting after its install makes the login a watched wait. */
  @Override
  public HostShell open(Host host, Wait.Watcher watcher) {
    if (context.ssh() == null) {
      throw new MayflyException(
          MayflyException.Exit.INTERNAL, "metaleuca: no SSH access given to open " + host.id());
    }
    String user = context.settings().getOrDefault("ssh-user", "root").strip();
    String port = context.settings().getOrDefault("ssh-port", "22").strip();
    SshEndpoint endpoint =
        SshEndpoint.parse(
            "target '" + context.target() + "': ssh-user/ssh-port",
            user + "@" + host.address() + ":" + port);
    return SshLogin.open(endpoint, context.ssh(), watcher);
  }

  /**
   * Every reserved machine on this target's Cobbler (or on every Cobbler, without settings), with
   * the deployment holding it: from the registry alone.
   */
  @Override
  public List<OwnedHost> owned() {
    String url = context.settings().get("url");
    List<Reservation> all =
        url == null
            ? reservations().all(null)
            : reservations().all(MetalSettings.poolOf(context.target(), url));
    // reservations live in this registry, so they are its own
    return all.stream()
        .map(
            r ->
                new OwnedHost(
                    r.deploymentId(),
                    new Host(r.systemName(), r.address(), java.util.Map.of(), Optional.empty()),
                    Optional.empty(),
                    context.registryId()))
        .toList();
  }

  private Reservations reservations() {
    return context
        .registry()
        .orElseThrow(
            () ->
                new MayflyException(MayflyException.Exit.INTERNAL, "metaleuca needs the registry"))
        .reservations();
  }
}
