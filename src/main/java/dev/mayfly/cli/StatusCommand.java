package dev.mayfly.cli;

import dev.mayfly.deploy.Deployments;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.EventRow;
import dev.mayfly.store.HostRow;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "status", description = "Show one deployment: its settings, hosts and history.")
final class StatusCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Mixin OutputOption output;

  @Parameters(paramLabel = "ID", description = "The deployment id (see `mayfly list`).")
  String id;

  @Override
  public Integer call() {
    Deployments.Status status = main.deployments().status(id);
    Deployments.Overview overview = main.deployments().overview(status.deployment());
    Instant now = Instant.now();
    PrintWriter out = main.out();
    if (output.json()) {
      Json.print(out, Views.status(status, overview, now));
      return 0;
    }
    DeploymentRow d = status.deployment();
    out.printf("%-10s %s%n", "id", d.id());
    out.printf("%-10s %s%n", "template", Views.printable(d.template()));
    out.printf("%-10s %s%n", "target", Views.printable(d.target()));
    out.printf("%-10s %s%n", "state", d.state());
    out.printf("%-10s %s%n", "url", Views.printable(d.url().orElse("-")));
    out.printf("%-10s %s%n", "created", d.createdAt());
    out.printf(
        "%-10s %s (%s)%n",
        "expires", d.expiresAt().map(Instant::toString).orElse("never"), Views.expiresIn(d, now));
    out.printf("%-10s %s%n", "service", d.serviceCommit().orElse("-"));
    out.printf("%-10s %s%n", "data", d.dataCommit().orElse("-"));
    out.printf(
        "%-10s %s%n",
        "sync",
        overview.schedule().flatMap(s -> s.syncCron()).map(c -> "'" + c + "'").orElse("never")
            + ", next "
            + Views.nextSync(overview, now)
            + ", last "
            + Views.lastSync(overview, now));
    d.params()
        .forEach(
            (k, v) -> out.printf("%-10s %s=%s%n", "param", Views.printable(k), Views.printable(v)));
    out.println();
    Table hosts = new Table("HOST", "ADDRESS", "STATE", "DATA", "DETAIL");
    for (HostRow h : status.hosts()) {
      hosts.row(
          h.hostId(),
          h.address(),
          h.state(),
          Views.shortCommit(h.dataCommit().orElse(null)),
          h.detail().orElse(null));
    }
    hosts.print(out);
    out.println();
    // the history: launch, syncs, notices, extensions, rollbacks, expiry
    Table events = new Table("AT", "HOST", "EVENT", "DETAIL");
    for (EventRow e : status.events()) {
      events.row(e.at(), e.hostId().orElse(null), e.kind(), e.detail());
    }
    events.print(out);
    return 0;
  }
}
