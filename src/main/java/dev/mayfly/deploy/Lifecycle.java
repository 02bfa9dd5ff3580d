package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.Provider;
import dev.mayfly.store.DeploymentLocks;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.DeploymentState;
import dev.mayfly.store.HostRow;
import dev.mayfly.store.HostState;
import dev.mayfly.store.Registry;
import dev.mayfly.template.Durations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How long a deployment lives and how it ends: extend moves its expiry (on the backend, then in the
 * registry), terminate cleans each host and has the provider end them. Expiry ({@link Upkeep}), the
 * {@link Reaper} and a failed launch ({@link Launcher}) end deployments through here too. Each
 * holds the deployment's lock, so two processes never extend or end one deployment at once.
 */
final class Lifecycle {
  private static final Pattern COMMIT = Pattern.compile("\\b[0-9a-f]{40}\\b");

  /**
   * How long extend, terminate and expiry wait for another command working on the same deployment.
   */
  static final Duration LOCK_WAIT = Duration.ofMinutes(10);

  private final DeploymentContext ctx;

  Lifecycle(DeploymentContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Moves the expiry: {@code by} a duration from the current expiry (or from now, when it has none
   * or is past), or to {@code until}; {@code never} removes it, and must be asked for on its own.
   * The hosts' own copy (EC2's expiry tags and fail-safe) moves first; when that fails the registry
   * keeps the old expiry.
   *
   * @return the new expiry, empty for never
   */
  Optional<Instant> extend(String id, String by, String until, boolean never) {
    ctx.requireLive(id);
    try (DeploymentLocks.Held lock = ctx.registry().lock(id, LOCK_WAIT)) {
      DeploymentRow d = ctx.requireLive(id);
      Instant expiresAt = newExpiry(d.expiresAt(), by, until, never, ctx.clock().instant());
      String was = d.expiresAt().map(Instant::toString).orElse(Deployments.NEVER);
      List<Host> hosts =
          ctx.registry().hosts(id).stream()
              .filter(h -> h.state() != HostState.TERMINATED)
              .map(RecordedHost::hostOf)
              .toList();
      try (Provider provider = ctx.providerToEnd(d)) {
        provider.extend(id, hosts, expiresAt);
      } catch (MayflyException | UncheckedIOException e) {
        ctx.registry().event(id, null, "extend-failed", e.getMessage());
        throw MayflyException.failed(
            "extend "
                + id
                + ": the hosts did not all take the new expiry, so it still"
                + " expires "
                + was
                + " (run extend again): "
                + e.getMessage());
      }
      ctx.registry().setExpiry(id, expiresAt);
      ctx.registry()
          .event(
              id,
              null,
              "extended",
              "expires "
                  + (expiresAt == null ? Deployments.NEVER : expiresAt)
                  + " (was "
                  + was
                  + ")");
      return Optional.ofNullable(expiresAt);
    }
  }

  /**
   * @return the expiry {@link #extend} sets, null for never
   */
  static Instant newExpiry(
      Optional<Instant> current, String by, String until, boolean never, Instant now) {
    int given = (by != null ? 1 : 0) + (until != null ? 1 : 0) + (never ? 1 : 0);
    if (given != 1) {
      throw MayflyException.badInput(
          "extend: give exactly one of --by DURATION, --until TIME or --never");
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
      throw MayflyException.badInput(
          (by != null ? "--by" : "--until")
              + ": the expiry may be at most "
              + Durations.MAX_LIFETIME.toDays()
              + "d (10 years) from now; --never for one that never expires");
    }
    return expiresAt;
  }

  /**
   * Stops the service and removes the deployment root on every host, then has the provider end the
   * hosts. Safe to repeat on a failed, half-launched or terminate-failed deployment. When a host
   * may still run the service afterwards (its clean stop failed and the provider does not end
   * hosts), the deployment is left {@code terminate-failed} and this throws, unless {@code force}
   * forgets it anyway.
   *
   * @param why the history entry: {@code terminated}, {@code expired}, {@code reaped}
   */
  Termination terminate(String id, Progress progress, String why, boolean force) {
    return terminate(id, progress, why, force, LOCK_WAIT);
  }

  /**
   * @param wait how long to wait for another command working on the deployment
   */
  Termination terminate(String id, Progress progress, String why, boolean force, Duration wait) {
    ctx.requireLive(id);
    try (DeploymentLocks.Held lock = ctx.registry().lock(id, wait)) {
      DeploymentRow d = ctx.require(id);
      if (!d.state().live()) {
        return new Termination(id, true, Map.of()); // ended by whoever held the lock before us
      }
      if (!d.specIntact()) {
        ctx.registry()
            .event(
                id,
                null,
                "template-changed",
                "its frozen template was changed outside mayfly; ending it with mayfly's own steps"
                    + " only");
      }
      try (Provider provider = ctx.providerToEnd(d)) {
        return terminate(id, provider, progress, why, force);
      }
    }
  }

  /**
   * Ends the deployment's hosts through {@code provider}; an interrupted launch ends its hosts here
   * too.
   */
  void terminate(String id, Provider provider, Progress progress, String why) {
    terminate(id, provider, progress, why, false);
  }

  private Termination terminate(
      String id, Provider provider, Progress progress, String why, boolean force) {
    Registry registry = ctx.registry();
    int hosts = registry.hosts(id).size();
    Map<String, String> running = endHosts(id, provider, progress);
    if (!running.isEmpty() && !force) {
      registry.setState(id, DeploymentState.TERMINATE_FAILED);
      registry.event(id, null, "terminate-failed", describe(running));
      throw MayflyException.failed(
          "terminate "
              + id
              + " failed; the service may still run on "
              + describe(running)
              + ". Fix the host and run `mayfly terminate "
              + id
              + "` again, or `mayfly terminate --force "
              + id
              + "` to forget it");
    }
    for (HostRow row : registry.hosts(id)) {
      if (running.containsKey(row.hostId())) {
        registry.putHost(
            ended(
                row, Optional.of("forgotten by terminate --force: " + running.get(row.hostId()))));
      }
    }
    registry.setState(id, DeploymentState.TERMINATED);
    registry.event(
        id,
        null,
        why,
        hosts
            + " host(s) ended"
            + (running.isEmpty() ? "" : "; forgotten, may still run: " + describe(running)));
    removeLocalFiles(id);
    return new Termination(id, false, running);
  }

  /**
   * Stops the service and removes the root on each host not ended yet, then has the provider end
   * them; a host is marked terminated only once nothing of the deployment can run there.
   *
   * @return host id to where and why the service may still run there
   */
  Map<String, String> endHosts(String id, Provider provider, Progress progress) {
    Registry registry = ctx.registry();
    List<HostRow> rows = registry.hosts(id);
    Map<String, String> running = new LinkedHashMap<>();
    for (HostRow row : rows) {
      if (row.state() == HostState.TERMINATED || row.root().isEmpty()) {
        continue;
      }
      String failed =
          RecordedHost.of(ctx, provider, row)
              .step("destroy", progress, HostSession::destroyWithGenerations);
      if (failed != null) {
        // where the provider ends the host anyway, only the clean stop is lost: recorded, not fatal
        registry.event(id, row.hostId(), "destroy-failed", failed);
        if (!provider.endsHosts()) {
          running.put(row.hostId(), where(row) + ": " + failed);
        }
      }
    }
    try {
      provider.terminate(id, rows.stream().map(RecordedHost::hostOf).toList());
    } catch (MayflyException | UncheckedIOException e) {
      registry.event(id, null, "end-failed", e.getMessage());
      rows.stream()
          .filter(r -> r.state() != HostState.TERMINATED)
          .forEach(r -> running.putIfAbsent(r.hostId(), where(r) + ": " + e.getMessage()));
      return running;
    }
    for (HostRow row : rows) {
      if (row.state() != HostState.TERMINATED && !running.containsKey(row.hostId())) {
        registry.putHost(ended(row, row.detail()));
      }
    }
    return running;
  }

  private static HostRow ended(HostRow row, Optional<String> detail) {
    return new HostRow(
        row.deploymentId(),
        row.hostId(),
        row.address(),
        row.ports(),
        row.root(),
        HostState.TERMINATED,
        row.dataCommit(),
        detail);
  }

  private static String where(HostRow row) {
    return row.address() + row.root().map(root -> " in " + root).orElse("");
  }

  private static String describe(Map<String, String> running) {
    return running.entrySet().stream()
        .map(e -> e.getKey() + " (" + e.getValue() + ")")
        .collect(Collectors.joining("; "));
  }

  /**
   * What this machine kept only to reach the deployment's hosts: its generated key and the git
   * bundles of its commits that no live deployment still uses. Logs and history stay.
   */
  private void removeLocalFiles(String id) {
    Registry registry = ctx.registry();
    Set<String> commits = commits(registry.find(id).orElseThrow(), registry.hosts(id));
    registry
        .events(id)
        .forEach(e -> COMMIT.matcher(e.detail()).results().forEach(m -> commits.add(m.group())));
    for (DeploymentRow other : registry.list()) {
      if (other.state().live()) {
        commits.removeAll(commits(other, registry.hosts(other.id())));
      }
    }
    try {
      for (String commit : commits) {
        for (Path bundle : ctx.git().bundleFiles(commit)) {
          Files.deleteIfExists(bundle);
        }
      }
      DeploymentContext.deleteTree(ctx.keyFile(id).getParent());
    } catch (IOException e) {
      throw MayflyException.failed(
          "deployment "
              + id
              + " ended, but its key or bundles could not be removed: "
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
