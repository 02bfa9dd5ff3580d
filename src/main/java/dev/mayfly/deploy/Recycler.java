package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.git.GitRepos;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.Provider;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.DeploymentState;
import dev.mayfly.store.HostRow;
import dev.mayfly.store.HostState;
import dev.mayfly.store.Registry;
import dev.mayfly.template.ShellQuote;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces the hosts of a running deployment with fresh ones at the newest commits (where the
 * provider makes new hosts, {@link FreshHosts} does it): on providers that rebuild in place ({@link
 * Provider#recyclesInPlace()}) each host gets a new root beside the live one, built while the old
 * one serves; only when every new root is built does each host stop its old service and start the
 * new one on the same port (the measured gap), and only when every host is healthy are the old
 * roots removed. A failure before the switch leaves the old roots serving untouched; one during it
 * switches every host back to its old root.
 */
final class Recycler {
  private static final Pattern GENERATION = Pattern.compile("(.*)\\.r([0-9]+)");

  private final DeploymentContext ctx;

  Recycler(DeploymentContext ctx) {
    this.ctx = ctx;
  }

  /** The caller holds the deployment's lock. */
  Deployments.RecycleResult recycle(String id, boolean sameCommits, Progress progress) {
    DeploymentRow d = ctx.requireLive(id);
    if (d.state() != DeploymentState.RUNNING) {
      throw MayflyException.wrongState(
          "recycle " + id + ": it is " + d.state().word() + "; only a running deployment recycles");
    }
    Spec spec = Spec.fromJson(d.spec());
    List<HostRow> rows = ctx.registry().hosts(id).stream().filter(Releases::healthy).toList();
    if (rows.isEmpty()) {
      throw MayflyException.wrongState("recycle " + id + ": it has no healthy host to replace");
    }
    GitRepos.Pinned service = pin("service.repo", spec.service(), d.serviceCommit(), sameCommits);
    GitRepos.Pinned data = pin("data.repo", spec.data(), d.dataCommit(), sameCommits);
    try (Provider provider = ctx.providerFor(d, spec)) {
      Round round = new Round(ctx, d, spec, service, data, provider, progress);
      return provider.recyclesInPlace()
          ? new InPlace(round).run(rows)
          : new FreshHosts(round).run(rows);
    }
  }

  /** The newest commit of {@code repo}, or the recorded one with {@code same}. */
  private GitRepos.Pinned pin(
      String field, Spec.Repo repo, Optional<String> recorded, boolean same) {
    GitRepos.Pinned newest = ctx.pin(field, repo);
    // a folder's snapshots stay in mayfly's repo, a URL's commit on its server: both fetch by name
    return same && recorded.isPresent()
        ? new GitRepos.Pinned(newest.fetchUrl(), recorded.get())
        : newest;
  }

  /** {@code ~/.mayfly/d} → {@code ~/.mayfly/d.r2} → {@code ~/.mayfly/d.r3}. */
  static String nextRoot(String root) {
    Matcher m = GENERATION.matcher(root);
    return m.matches() ? m.group(1) + ".r" + (Long.parseLong(m.group(2)) + 1) : root + ".r2";
  }

  /**
   * What one recycle works from, whichever way its hosts are replaced: the deployment as it was,
   * the commits it moves to and the provider that holds its hosts.
   */
  record Round(
      DeploymentContext ctx,
      DeploymentRow d,
      Spec spec,
      GitRepos.Pinned service,
      GitRepos.Pinned data,
      Provider provider,
      Progress progress) {
    /**
     * Builds new roots at {@code service} and {@code data} from what the live host {@code source}
     * names for each new one keeps: its env file and rendered {@code files:}, whose parameter
     * values (secrets too) the registry does not keep.
     */
    Bootstrap bootstrap(Function<Host, HostRow> source) {
      return new Bootstrap(
          d.id(),
          spec,
          service,
          data,
          (host, newRoot) -> envFile(ctx, provider, spec, source.apply(host), newRoot),
          provider,
          ctx.registry(),
          progress,
          ctx.logDir(d.id()),
          new GitDelivery(ctx.git(), spec.git(), provider),
          host -> RecordedHost.of(ctx, provider, source.apply(host)).query(HostSession::readFiles));
    }

    /** {@code service OLD -> NEW, data OLD -> NEW}, for the history. */
    String commits() {
      return "service "
          + d.serviceCommit().orElse("?")
          + " -> "
          + service.commit()
          + ", data "
          + d.dataCommit().orElse("?")
          + " -> "
          + data.commit();
    }

    Deployments.RecycleResult result(
        boolean ok, String url, boolean urlChanged, List<Deployments.HostMove> moves, String why) {
      return new Deployments.RecycleResult(
          d.id(),
          ok,
          d.serviceCommit().orElse(""),
          service.commit(),
          d.dataCommit().orElse(""),
          data.commit(),
          url,
          urlChanged,
          moves,
          why);
    }
  }

  /** The live host's env file with the new root's paths appended: a later assignment wins. */
  private static String envFile(
      DeploymentContext ctx, Provider provider, Spec spec, HostRow live, String newRoot) {
    String env = RecordedHost.of(ctx, provider, live).query(HostSession::readEnv);
    return env
        + "MAYFLY_ROOT="
        + ShellQuote.quote(newRoot)
        + "\nMAYFLY_DATA="
        + ShellQuote.quote(newRoot + "/data/current")
        + "\nMAYFLY_SERVICE="
        + ShellQuote.quote(newRoot + "/service/current")
        + "\nMAYFLY_SERVE="
        + ShellQuote.quote(
            newRoot + "/service/current" + (spec.serve() == null ? "" : "/" + spec.serve()))
        + "\n";
  }

  /** One host while it is recycled: its live row and its new root's open session. */
  private record Candidate(HostRow old, Host host, HostSession session, HostLog log) {
    String newRoot() {
      return session.root();
    }
  }

  private final class InPlace {
    private final Round r;
    private final Bootstrap bootstrap;
    private final Registry registry = ctx.registry();

    InPlace(Round round) {
      this.r = round;
      this.bootstrap = round.bootstrap(host -> liveRow(host.id()));
    }

    Deployments.RecycleResult run(List<HostRow> rows) {
      String id = r.d().id();
      registry.event(
          id,
          null,
          "recycle",
          "building "
              + rows.size()
              + " new root(s) at service "
              + r.service().commit()
              + ", data "
              + r.data().commit());
      List<Candidate> built = new ArrayList<>();
      List<String> failures = new ArrayList<>();
      List<Object> outcomes =
          FanOut.run(
              rows.stream().map(RecordedHost::hostOf).toList(),
              rows.size(),
              host -> build(rowOf(rows, host), host),
              (host, crash) -> host.id() + ": internal error: " + crash);
      for (Object o : outcomes) {
        if (o instanceof Candidate c) {
          built.add(c);
        } else {
          failures.add((String) o);
        }
      }
      if (!failures.isEmpty()) {
        return failed(built, List.of(), "new hosts failed, the old ones still serve: " + failures);
      }
      List<Candidate> switched = new ArrayList<>();
      List<Deployments.HostMove> moves = new ArrayList<>();
      for (Candidate c : built) {
        long t0 = System.nanoTime();
        String why = switchOver(c);
        if (why != null) {
          switched.add(c);
          return failed(built, switched, c.host().id() + ": " + why);
        }
        switched.add(c);
        moves.add(
            new Deployments.HostMove(
                c.host().id(),
                c.old().root().orElse(""),
                c.newRoot(),
                Duration.ofNanos(System.nanoTime() - t0).toMillis()));
      }
      for (Candidate c : built) {
        String why =
            RecordedHost.of(ctx, r.provider(), c.old())
                .step("remove-old", r.progress(), HostSession::destroy);
        if (why != null) {
          registry.event(id, c.host().id(), "recycle-warning", "old root left: " + why);
        }
        close(c);
      }
      String summary = summary(moves);
      registry.recycled(
          id, ctx.clock().instant(), r.service().commit(), r.data().commit(), summary);
      registry.event(id, null, "recycled", summary);
      return r.result(true, r.d().url().orElse(null), false, moves, null);
    }

    private HostRow rowOf(List<HostRow> rows, Host host) {
      return rows.stream().filter(r -> r.hostId().equals(host.id())).findFirst().orElseThrow();
    }

    /** A built new root, or why it could not be built (its half-built root removed). */
    private Object build(HostRow old, Host host) {
      String newRoot = nextRoot(old.root().orElseThrow());
      Host fresh = new Host(host.id(), host.address(), host.ports(), Optional.of(newRoot));
      HostLog log = new HostLog(ctx.hostLog(r.d().id(), host.id()));
      HostSession session = null;
      // in the history before it exists: a recycle killed from here on leaves this root behind
      registry.event(r.d().id(), host.id(), "recycle-root", "building " + newRoot);
      try {
        session = bootstrap.connect(fresh, log, newRoot);
        HostSession s = session;
        String live = old.root().orElseThrow();
        bootstrap.timed(
            fresh,
            "remove-strays",
            () -> {
              s.removeGenerationsExcept(live);
              return null;
            });
        bootstrap.build(fresh, session);
        return new Candidate(old, fresh, session, log);
      } catch (HostSession.StepFailed e) {
        registry.event(r.d().id(), host.id(), "recycle-failed", e.step + ": " + e.getMessage());
        if (session != null) {
          removeNew(new Candidate(old, fresh, session, log));
        } else {
          log.close();
        }
        return host.id() + ": " + e.step + ": " + e.getMessage();
      }
    }

    /**
     * Stops the old service and starts the new root's on the same port in one call over the new
     * root's open session, so the gap is the service's own start; when the new one does not get
     * healthy, the old one is started again.
     *
     * @return null when the new root serves
     */
    private String switchOver(Candidate c) {
      try {
        bootstrap.switchTo(c.host(), c.session(), c.old().root().orElseThrow());
        // the new root serves: from here a killed recycle leaves the old one as the stray
        registry.putHost(switchedRow(c));
        bootstrap.awaitTakeOver(c.host());
        return null;
      } catch (HostSession.StepFailed e) {
        return e.step + ": " + e.getMessage();
      }
    }

    private HostRow switchedRow(Candidate c) {
      return new HostRow(
          r.d().id(),
          c.host().id(),
          c.host().address(),
          c.old().ports(),
          Optional.of(c.newRoot()),
          HostState.HEALTHY,
          Optional.of(r.data().commit()),
          Optional.empty());
    }

    /** Ends the new roots and, where the switch happened, serves from the old root again. */
    private Deployments.RecycleResult failed(
        List<Candidate> built, List<Candidate> switched, String why) {
      for (Candidate c : built) {
        if (switched.contains(c)) {
          registry.putHost(c.old());
        }
        removeNew(c);
        if (switched.contains(c)) {
          Host oldHost = RecordedHost.hostOf(c.old());
          RecordedHost.of(ctx, r.provider(), c.old())
              .step("restore-old", r.progress(), session -> bootstrap.serve(oldHost, session));
        }
      }
      registry.event(r.d().id(), null, "recycle-failed", why);
      return r.result(false, r.d().url().orElse(null), false, List.of(), why);
    }

    private void removeNew(Candidate c) {
      try {
        bootstrap.timed(
            c.host(),
            "remove-new",
            () -> {
              c.session().destroy();
              return null;
            });
      } catch (HostSession.StepFailed e) {
        registry.event(
            r.d().id(),
            c.host().id(),
            "recycle-warning",
            "new root " + c.newRoot() + " left: " + e);
      }
      close(c);
    }

    private void close(Candidate c) {
      c.session().close();
      c.log().close();
    }

    private HostRow liveRow(String hostId) {
      return registry.hosts(r.d().id()).stream()
          .filter(r -> r.hostId().equals(hostId))
          .findFirst()
          .orElseThrow();
    }

    private String summary(List<Deployments.HostMove> moves) {
      StringBuilder s = new StringBuilder();
      for (Deployments.HostMove m : moves) {
        s.append(m.host())
            .append(": ")
            .append(m.oldRoot())
            .append(" -> ")
            .append(m.newRoot())
            .append(" (gap ")
            .append(m.gapMillis())
            .append(" ms); ");
      }
      return s.append(r.commits()).toString();
    }
  }
}
