package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.LaunchRequest;
import dev.mayfly.provider.Launched;
import dev.mayfly.provider.Provider;
import dev.mayfly.store.HostRow;
import dev.mayfly.store.HostState;
import dev.mayfly.store.Registry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A recycle on hosts the provider makes anew ({@link Provider#recyclesInPlace()} false: ec2): fresh
 * hosts are launched beside the live ones and bootstrapped at the new commits, each from the env
 * file of the old host it replaces; only when every one is healthy does the provider move the
 * stable addresses over ({@link Provider#takeOver}) and end the old hosts. When a fresh host fails,
 * the fresh ones are ended and the old ones, never touched, keep serving.
 */
final class FreshHosts {
  private final Recycler.Round r;
  private final DeploymentContext ctx;
  private final Registry registry;
  private final Bootstrap bootstrap;

  /** Fresh host id to the live row of the host it replaces. */
  private final Map<String, HostRow> replaces = new ConcurrentHashMap<>();

  FreshHosts(Recycler.Round round) {
    this.r = round;
    this.ctx = round.ctx();
    this.registry = ctx.registry();
    this.bootstrap = round.bootstrap(host -> replaces.get(host.id()));
  }

  Deployments.RecycleResult run(List<HostRow> rows) {
    String id = r.d().id();
    registry.event(
        id,
        null,
        "recycle",
        "launching "
            + rows.size()
            + " fresh host(s) at service "
            + r.service().commit()
            + ", data "
            + r.data().commit());
    List<Host> fresh;
    try {
      Launched launched =
          r.provider()
              .launchReplacements(
                  new LaunchRequest(
                      id,
                      r.d().template(),
                      rows.size(),
                      rows.get(0).ports(),
                      r.d().expiresAt().orElse(null),
                      Map.of(),
                      r.progress()));
      fresh = launched.hosts();
      if (!launched.complete()) {
        return failed(fresh, "fresh hosts did not come up: " + launched.failed());
      }
    } catch (MayflyException e) {
      return failed(List.of(), "getting fresh hosts: " + e.getMessage());
    }
    for (int n = 0; n < fresh.size(); n++) {
      replaces.put(fresh.get(n).id(), rows.get(n));
    }
    List<String> failures =
        FanOut.run(
                fresh,
                fresh.size(),
                this::build,
                (host, crash) -> host.id() + ": internal error: " + crash)
            .stream()
            .filter(Objects::nonNull)
            .toList();
    if (!failures.isEmpty()) {
      return failed(fresh, "fresh hosts failed, the old ones still serve: " + failures);
    }
    List<Host> old = rows.stream().map(RecordedHost::hostOf).toList();
    List<Host> serving;
    try {
      serving = r.provider().takeOver(id, old, fresh);
    } catch (MayflyException e) {
      String why = "moving the addresses to the fresh hosts: " + e.getMessage();
      try {
        r.provider().takeOver(id, fresh, old);
      } catch (MayflyException back) {
        why += "; moving them back failed too: " + back.getMessage();
      }
      return failed(fresh, why);
    }
    return switched(rows, serving);
  }

  /** The fresh hosts serve: record them, forget and end the old ones. */
  private Deployments.RecycleResult switched(List<HostRow> rows, List<Host> serving) {
    String id = r.d().id();
    List<Deployments.HostMove> moves = new ArrayList<>();
    for (int n = 0; n < serving.size(); n++) {
      Host s = serving.get(n);
      HostRow old = rows.get(n);
      String root = bootstrap.rootFor(s);
      registry.putHost(
          new HostRow(
              id,
              s.id(),
              s.address(),
              s.ports(),
              Optional.of(root),
              HostState.HEALTHY,
              Optional.of(r.data().commit()),
              Optional.empty()));
      registry.removeHost(id, old.hostId());
      // the old host served until the fresh one took over: no gap mayfly can see
      moves.add(
          new Deployments.HostMove(old.hostId() + " -> " + s.id(), old.root().orElse(""), root, 0));
    }
    try {
      r.provider().retire(id, rows.stream().map(RecordedHost::hostOf).toList());
    } catch (MayflyException e) {
      registry.event(
          id,
          null,
          "recycle-warning",
          "old hosts left running ("
              + e.getMessage()
              + "): `mayfly terminate` ends them with the deployment");
    }
    String url = bootstrap.url(serving.get(0));
    boolean urlChanged = !url.equals(r.d().url().orElse(null));
    if (urlChanged) {
      registry.setUrl(id, url);
    }
    String summary =
        String.join("; ", moves.stream().map(Deployments.HostMove::host).toList())
            + "; "
            + r.commits()
            + (urlChanged ? "; new URL " + url : "");
    registry.recycled(id, ctx.clock().instant(), r.service().commit(), r.data().commit(), summary);
    registry.event(id, null, "recycled", summary);
    return r.result(true, url, urlChanged, moves, null);
  }

  /**
   * Bootstraps a fresh host up to healthy.
   *
   * @return null when it serves, else why not
   */
  private String build(Host host) {
    try (HostLog log = new HostLog(ctx.hostLog(r.d().id(), host.id()));
        HostSession session = bootstrap.connect(host, log, bootstrap.rootFor(host))) {
      bootstrap.build(host, session);
      bootstrap.serve(host, session);
      return null;
    } catch (HostSession.StepFailed e) {
      registry.event(r.d().id(), host.id(), "recycle-failed", e.step + ": " + e.getMessage());
      return host.id() + ": " + e.step + ": " + e.getMessage();
    }
  }

  /** Ends the fresh hosts; the old ones were never touched. */
  private Deployments.RecycleResult failed(List<Host> fresh, String why) {
    if (!fresh.isEmpty()) {
      try {
        r.provider().retire(r.d().id(), fresh);
      } catch (MayflyException e) {
        why += "; ending the fresh hosts failed too (" + e.getMessage() + ")";
      }
    }
    registry.event(r.d().id(), null, "recycle-failed", why);
    return r.result(false, r.d().url().orElse(null), false, List.of(), why);
  }
}
