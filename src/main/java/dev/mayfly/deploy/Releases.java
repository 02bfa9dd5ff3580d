package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.deploy.Deployments.HeldReleases;
import dev.mayfly.deploy.Deployments.SyncResult;
import dev.mayfly.git.GitRepos;
import dev.mayfly.provider.Provider;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.HostRow;
import dev.mayfly.store.HostState;
import dev.mayfly.store.Registry;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The data releases a deployment's hosts serve: sync publishes the data repo's newest commit,
 * rollback switches back to an earlier release, and both publish host by host so a failing host
 * keeps serving its previous release. Scheduled sync rounds ({@link Upkeep}) use the same steps.
 */
final class Releases {
  private final DeploymentContext ctx;

  Releases(DeploymentContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Publishes the data repo's newest commit on every healthy host that does not have it yet. The
   * repo is resolved once; hosts already at that commit are not contacted. A host that fails keeps
   * serving its previous release. A manual sync also lifts a rollback's pin.
   */
  SyncResult sync(String id, Progress progress) {
    DeploymentRow d = ctx.requireLive(id);
    Spec spec = Spec.fromJson(d.spec());
    GitRepos.Pinned data = resolveData(spec);
    ctx.registry().setDataPin(id, null);
    SyncResult result = publish(d, spec, data, "synced", progress);
    if (result.updated().isEmpty() && result.failures().isEmpty()) {
      ctx.registry().event(id, null, "sync-unchanged", "data repo still at " + data.commit());
    }
    // list's LAST SYNC shows manual syncs too, in the daemon's words
    ctx.registry()
        .recordSync(
            id,
            ctx.clock().instant(),
            !result.failures().isEmpty()
                ? "failed: "
                    + result.failures().size()
                    + " host(s) failed, previous release serving"
                : result.updated().isEmpty()
                    ? "unchanged"
                    : "published " + data.commit() + " on " + result.updated().size() + " host(s)",
            !result.failures().isEmpty());
    return result;
  }

  /**
   * Resolves a data repo to its newest commit (one ls-remote, or one snapshot of a local folder).
   */
  GitRepos.Pinned resolveData(Spec spec) {
    return ctx.pin("data.repo", spec.data());
  }

  /**
   * The healthy hosts of deployment {@code id} that do not serve {@code commit}: the ones a sync
   * would contact.
   */
  List<HostRow> stale(String id, String commit) {
    return stale(ctx.registry().hosts(id), commit);
  }

  static List<HostRow> stale(List<HostRow> hosts, String commit) {
    return hosts.stream().filter(Releases::healthy).filter(row -> !serves(row, commit)).toList();
  }

  /** Hosts that came up healthy are the ones syncs and rollbacks serve. */
  static boolean healthy(HostRow row) {
    return row.state() == HostState.HEALTHY;
  }

  private static boolean serves(HostRow row, String commit) {
    return row.dataCommit().filter(commit::equals).isPresent();
  }

  /**
   * Publishes {@code data} on each healthy host of {@code d} that does not serve it yet, one host
   * session each. Records {@code kind} (synced, rolled-back) per host; a failing host keeps its
   * release.
   */
  SyncResult publish(
      DeploymentRow d, Spec spec, GitRepos.Pinned data, String kind, Progress progress) {
    try (Provider provider = ctx.providerFor(d, spec)) {
      return publish(d, spec, data, kind, provider, progress);
    }
  }

  private SyncResult publish(
      DeploymentRow d,
      Spec spec,
      GitRepos.Pinned data,
      String kind,
      Provider provider,
      Progress progress) {
    Registry registry = ctx.registry();
    String id = d.id();
    GitDelivery delivery = new GitDelivery(ctx.git(), spec.git(), provider);
    List<HostRow> hosts = registry.hosts(id);
    List<String> unchanged =
        hosts.stream()
            .filter(Releases::healthy)
            .filter(row -> serves(row, data.commit()))
            .map(HostRow::hostId)
            .toList();
    List<String> updated = new ArrayList<>();
    Map<String, String> failures = new LinkedHashMap<>();
    List<HostOutcome> failedSteps = new ArrayList<>();
    for (HostRow row : stale(hosts, data.commit())) {
      HostOutcome failed =
          RecordedHost.of(ctx, provider, row)
              .attempt(
                  kind.equals("synced") ? "sync" : "rollback",
                  progress,
                  session -> {
                    String how =
                        delivery.deliver(
                            "sync",
                            "data.repo",
                            session,
                            data,
                            spec.data().ref(),
                            row.dataCommit().orElse(null),
                            (url, ref) ->
                                session.publishData(
                                    url, data.commit(), ref, spec.publish(), spec.keep()));
                    registry.event(id, row.hostId(), "git", how);
                    registry.putHost(
                        new HostRow(
                            id,
                            row.hostId(),
                            row.address(),
                            row.ports(),
                            row.root(),
                            row.state(),
                            Optional.of(data.commit()),
                            row.detail()));
                    registry.event(id, row.hostId(), kind, "data at " + data.commit());
                  });
      if (failed == null) {
        updated.add(row.hostId());
      } else {
        String why = failed.message();
        failedSteps.add(failed);
        registry.event(
            id,
            row.hostId(),
            kind.equals("synced") ? "sync-failed" : kind + "-failed",
            why + "; previous release still serving");
        failures.put(row.hostId(), why);
      }
    }
    if (!updated.isEmpty() && failures.isEmpty()) {
      registry.setDataCommit(id, data.commit());
    }
    return new SyncResult(id, data.commit(), updated, unchanged, failures, failedSteps);
  }

  /**
   * The data releases the deployment's first healthy host holds, as rollback would choose from;
   * when no host can be asked, the commits the registry says its hosts published.
   */
  HeldReleases held(String id) {
    DeploymentRow d = ctx.require(id);
    List<HostRow> hosts = ctx.registry().hosts(id);
    List<HostRow> healthy = hosts.stream().filter(Releases::healthy).toList();
    String live =
        healthy.stream().findFirst().flatMap(HostRow::dataCommit).or(d::dataCommit).orElse(null);
    String unread = null;
    if (d.state().live() && !healthy.isEmpty()) {
      try (Provider provider = ctx.providerFor(d, Spec.fromJson(d.spec()))) {
        List<String> onHost =
            RecordedHost.of(ctx, provider, healthy.get(0)).query(HostSession::releases);
        return new HeldReleases(onHost, live, healthy.get(0).hostId(), null);
      } catch (MayflyException | UncheckedIOException e) {
        unread =
            "the releases on " + healthy.get(0).hostId() + " could not be read: " + e.getMessage();
      }
    }
    Set<String> published = new LinkedHashSet<>();
    hosts.forEach(h -> h.dataCommit().ifPresent(published::add));
    d.dataCommit().ifPresent(published::add);
    return new HeldReleases(List.copyOf(published), live, null, unread);
  }

  /**
   * Switches {@code current} back on every healthy host: to {@code to} (a commit or a unique prefix
   * of one among the host's releases), or else to the release published before the live one.
   * Scheduled syncs then leave the deployment at that commit until the next manual {@code mayfly
   * sync}.
   */
  SyncResult rollback(String id, String to, Progress progress) {
    DeploymentRow d = ctx.requireLive(id);
    Spec spec = Spec.fromJson(d.spec());
    String current =
        d.dataCommit()
            .orElseThrow(
                () ->
                    MayflyException.wrongState(
                        "deployment '" + id + "' has no published data to roll back from"));
    List<HostRow> healthy = ctx.registry().hosts(id).stream().filter(Releases::healthy).toList();
    if (healthy.isEmpty()) {
      throw MayflyException.wrongState("deployment '" + id + "' has no healthy host to roll back");
    }
    List<String> releases;
    try (Provider provider = ctx.providerFor(d, spec)) {
      releases = RecordedHost.of(ctx, provider, healthy.get(0)).query(HostSession::releases);
    }
    String target = rollbackTarget(to, current, releases);
    GitRepos.Pinned data = new GitRepos.Pinned(resolveData(spec).fetchUrl(), target);
    SyncResult result = publish(d, spec, data, "rolled-back", progress);
    ctx.registry().setDataPin(id, target);
    ctx.registry()
        .event(
            id,
            null,
            "rollback",
            "data pinned at "
                + target
                + " (was "
                + current
                + "); `mayfly sync "
                + id
                + "` resumes syncing");
    return result;
  }

  /**
   * The release a rollback switches to.
   *
   * @param to a commit or a unique prefix of one; null for the newest release that is not {@code
   *     current}
   * @param releases the host's releases, most recently published first
   */
  static String rollbackTarget(String to, String current, List<String> releases) {
    if (to == null) {
      return releases.stream()
          .filter(r -> !r.equals(current))
          .findFirst()
          .orElseThrow(
              () ->
                  MayflyException.wrongState(
                      "no earlier release on the host to roll back to (releases: "
                          + String.join(", ", releases)
                          + ")"));
    }
    String prefix = to.strip().toLowerCase(Locale.ROOT);
    if (!prefix.matches("[0-9a-f]{4,40}")) {
      throw MayflyException.badInput("--to: '" + to + "' is not a commit id (4 to 40 hex digits)");
    }
    List<String> matches = releases.stream().filter(r -> r.startsWith(prefix)).toList();
    if (matches.size() != 1) {
      throw MayflyException.badInput(
          "--to: '"
              + to
              + "' matches "
              + matches.size()
              + " release(s) on the host (releases: "
              + String.join(", ", releases)
              + ")");
    }
    return matches.get(0);
  }
}
