package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.Provider;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.DeploymentState;
import dev.mayfly.store.HostRow;
import dev.mayfly.store.HostState;
import dev.mayfly.store.Registry;
import dev.mayfly.template.Durations;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How long a deployment lives and how it ends: extend moves its expiry (in the registry and on the backend),
 * terminate cleans each host and has the provider end them. Expiry ({@link Upkeep}) and the {@link Reaper}
 * end deployments through here too.
 */
final class Lifecycle {
  private final DeploymentContext ctx;

  Lifecycle(DeploymentContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Moves the expiry: {@code by} a duration from the current expiry (or from now, when it has none or is
   * past), or to {@code until}; {@code never} removes it, and must be asked for on its own.
   *
   * @return the new expiry, empty for never
   */
  Optional<Instant> extend(String id, String by, String until, boolean never) {
    DeploymentRow d = ctx.requireLive(id);
    Instant expiresAt = newExpiry(d.expiresAt(), by, until, never, ctx.clock().instant());
    ctx.registry().setExpiry(id, expiresAt);
    ctx.registry().event(id, null, "extended", "expires " + (expiresAt == null ? Deployments.NEVER : expiresAt)
        + " (was " + d.expiresAt().map(Instant::toString).orElse(Deployments.NEVER) + ")");
    // the backend's own copy: EC2 moves its expiry tags and re-arms the fail-safe on each instance
    try (Provider provider = ctx.providerFor(d, Spec.fromJson(d.spec()))) {
      provider.extend(id, ctx.registry().hosts(id).stream().map(RecordedHost::hostOf).toList(), expiresAt);
    }
    return Optional.ofNullable(expiresAt);
  }

  /** @return the expiry {@link #extend} sets, null for never */
  static Instant newExpiry(Optional<Instant> current, String by, String until, boolean never, Instant now) {
    int given = (by != null ? 1 : 0) + (until != null ? 1 : 0) + (never ? 1 : 0);
    if (given != 1) {
      throw MayflyException.badInput("extend: give exactly one of --by DURATION, --until TIME or --never");
    }
    if (never) {
      return null;
    }
    if (by != null) {
      Instant from = current.filter(now::isBefore).orElse(now);
      return from.plus(Durations.parse("--by", by));
    }
    return Durations.parseExpiry("--until", until, now);
  }

  /**
   * Stops the service and removes the deployment root on every host, then has the provider end the
   * hosts. Safe to repeat on a failed or half-launched deployment.
   *
   * @param why the history entry: {@code terminated}, {@code expired}, {@code reaped}
   */
  void terminate(String id, Progress progress, String why) {
    DeploymentRow d = ctx.requireLive(id);
    try (Provider provider = ctx.providerFor(d, Spec.fromJson(d.spec()))) {
      terminate(id, provider, progress, why);
    }
  }

  private void terminate(String id, Provider provider, Progress progress, String why) {
    Registry registry = ctx.registry();
    List<HostRow> rows = registry.hosts(id);
    List<Host> hosts = new ArrayList<>();
    for (HostRow row : rows) {
      Host host = RecordedHost.hostOf(row);
      hosts.add(host);
      if (row.root().isEmpty()) {
        continue;
      }
      String failed = RecordedHost.of(ctx, provider, row).step("destroy", progress, HostSession::destroy);
      if (failed != null) {
        // the provider still ends the host; record why the clean stop did not happen
        registry.event(id, host.id(), "destroy-failed", failed);
      }
    }
    provider.terminate(id, hosts);
    for (HostRow row : rows) {
      registry.putHost(new HostRow(id, row.hostId(), row.address(), row.ports(), row.root(), HostState.TERMINATED,
          row.dataCommit(), row.detail()));
    }
    registry.setState(id, DeploymentState.TERMINATED);
    registry.event(id, null, why, hosts.size() + " host(s) ended");
  }
}
