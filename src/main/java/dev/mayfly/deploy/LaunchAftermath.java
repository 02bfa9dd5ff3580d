package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.Provider;
import dev.mayfly.store.DeploymentState;
import dev.mayfly.store.HostRow;
import dev.mayfly.store.HostState;
import dev.mayfly.store.Registry;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What happens to a launch's hosts when it does not end healthy: they are ended, or kept a short
 * while when asked to ({@code --on-failure keep}, {@code --keep-for}); after a signal they are
 * always ended.
 */
final class LaunchAftermath {
  /** What became of a failed launch's hosts, and when the deployment expires now. */
  record Cleanup(String text, Instant expiresAt) {}

  private final DeploymentContext ctx;

  LaunchAftermath(DeploymentContext ctx) {
    this.ctx = ctx;
  }

  /**
   * After a signal: records every host the provider gave (so none is missed), ends them all like
   * {@code terminate} does, and leaves the deployment failed with an {@code interrupted} event.
   */
  MayflyException interrupted(
      String id, Provider provider, List<Host> launched, Progress progress, LaunchCancel cancel) {
    Registry registry = ctx.registry();
    Set<String> recorded = new HashSet<>();
    registry.hosts(id).forEach(row -> recorded.add(row.hostId()));
    for (Host host : launched) {
      if (!recorded.contains(host.id())) {
        registry.putHost(
            new HostRow(
                id,
                host.id(),
                host.address(),
                host.ports(),
                Optional.empty(),
                HostState.PENDING,
                Optional.empty(),
                Optional.empty()));
      }
    }
    new Lifecycle(ctx).terminate(id, provider, progress, "interrupted");
    registry.setState(id, DeploymentState.FAILED);
    return cancel.interrupted(
        "ended the "
            + launched.size()
            + " host(s) it had started; deployment "
            + id
            + " is recorded as failed (see `mayfly status "
            + id
            + "`)");
  }

  /**
   * Ends every host the failed launch started (the failing hosts' log tails are in the outcomes
   * already), or keeps them until a short expiry that the daemon's expiry and the reaper enforce.
   */
  Cleanup afterFailure(LaunchPlan plan, Provider provider, List<Host> hosts, Progress progress) {
    Registry registry = ctx.registry();
    String id = plan.id();
    if (plan.keepOnFailure()) {
      Instant until = ctx.clock().instant().plus(plan.keepFor());
      String text =
          "host(s) kept for debugging until "
              + until
              + "; `mayfly terminate "
              + id
              + "` ends them sooner";
      try {
        provider.extend(
            id, hosts, until); // tags and fail-safe too, so they end even if the registry is lost
      } catch (MayflyException | UncheckedIOException e) {
        text += " (the hosts' own expiry was not moved: " + e.getMessage() + ")";
      }
      registry.setExpiry(id, until);
      registry.event(id, null, "kept", text);
      return new Cleanup(text, until);
    }
    Map<String, String> running = new Lifecycle(ctx).endHosts(id, provider, progress);
    if (running.isEmpty()) {
      String text =
          "every host of the failed launch ended (--on-failure keep keeps them for debugging)";
      registry.event(id, null, "ended", text);
      return new Cleanup(text, plan.expiresAt());
    }
    // expired from now on: the daemon's expiry and the reaper retry what could not be ended
    Instant now = ctx.clock().instant();
    registry.setExpiry(id, now);
    String text =
        "could not end "
            + running.entrySet().stream()
                .map(e -> e.getKey() + " (" + e.getValue() + ")")
                .collect(Collectors.joining("; "))
            + "; `mayfly terminate "
            + id
            + "` retries";
    registry.event(id, null, "end-failed", text);
    return new Cleanup(text, now);
  }
}
