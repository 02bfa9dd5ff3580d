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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * How long a deployment lives and how it ends: extend moves its expiry (in the registry and on the backend),
 * terminate cleans each host and has the provider end them. Expiry ({@link Upkeep}) and the {@link Reaper}
 * end deployments through here too.
 */
final class Lifecycle {
  private static final Pattern COMMIT = Pattern.compile("\\b[0-9a-f]{40}\\b");

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
    Instant expiresAt;
    if (by != null) {
      Instant from = current.filter(now::isBefore).orElse(now);
      expiresAt = from.plus(Durations.parse("--by", by));
    } else {
      expiresAt = Durations.parseExpiry("--until", until, now);
    }
    if (expiresAt.isAfter(now.plus(Durations.MAX_LIFETIME))) {
      throw MayflyException.badInput((by != null ? "--by" : "--until") + ": the expiry may be at most "
          + Durations.MAX_LIFETIME.toDays() + "d (10 years) from now; --never for one that never expires");
    }
    return expiresAt;
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

  /** Ends the deployment's hosts through {@code provider}; an interrupted launch ends its hosts here too. */
  void terminate(String id, Provider provider, Progress progress, String why) {
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
    removeLocalFiles(id);
  }

  /**
   * What this machine kept only to reach the deployment's hosts: its generated key and the git bundles of
   * its commits that no live deployment still uses. Logs and history stay.
   */
  private void removeLocalFiles(String id) {
    Registry registry = ctx.registry();
    Set<String> commits = commits(registry.find(id).orElseThrow(), registry.hosts(id));
    registry.events(id).forEach(e -> COMMIT.matcher(e.detail()).results().forEach(m -> commits.add(m.group())));
    for (DeploymentRow other : registry.list()) {
      if (other.state().live()) {
        commits.removeAll(commits(other, registry.hosts(other.id())));
      }
    }
    try {
      for (String commit : commits) {
        Files.deleteIfExists(ctx.git().bundleFile(commit));
      }
      Path keys = ctx.keyFile(id).getParent();
      if (Files.isDirectory(keys)) {
        try (Stream<Path> files = Files.walk(keys)) {
          for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
    } catch (IOException e) {
      throw MayflyException.failed("deployment " + id + " ended, but its key or bundles could not be removed: "
          + e.getMessage());
    }
  }

  private static Set<String> commits(DeploymentRow d, List<HostRow> hosts) {
    Set<String> commits = new HashSet<>();
    d.serviceCommit().ifPresent(commits::add);
    d.dataCommit().ifPresent(commits::add);
    hosts.forEach(h -> h.dataCommit().ifPresent(commits::add));
    return commits;
  }
}
