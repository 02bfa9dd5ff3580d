package dev.mayfly.cli;

import dev.mayfly.deploy.Deployments;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.DeploymentState;
import dev.mayfly.template.Durations;
import dev.mayfly.view.Cells;
import dev.mayfly.view.JsonViews;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "list",
    description = {
      "List deployments, newest first, with time left and their syncs; terminated ones only with",
      "--all (`mayfly prune` forgets them)."
    })
final class ListCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Mixin OutputOption output;

  @Option(names = "--all", description = "Also the terminated deployments.")
  boolean all;

  @Option(
      names = "--older-than",
      paramLabel = "AGE",
      description =
          "Only deployments whose hosts are older than this (e.g. 30d): due for a recycle.")
  String olderThan;

  @Override
  public Integer call() {
    Deployments.Listing listing = main.read(d -> d.list(all, olderThan));
    List<Deployments.Overview> rows = listing.deployments();
    Instant now = Instant.now();
    var out = main.out();
    if (output.json()) {
      Json.print(
          out, rows.stream().map(o -> JsonViews.listed(o, now, listing.daemonServing())).toList());
      return 0;
    }
    Table table =
        new Table(
            "ID",
            "TEMPLATE",
            "TARGET",
            "HOSTS",
            "STATE",
            "URL",
            "EXPIRES IN",
            "NEXT SYNC",
            "LAST SYNC",
            "HOST AGE");
    for (Deployments.Overview o : rows) {
      DeploymentRow d = o.deployment();
      table.row(
          d.id(),
          d.template(),
          d.target(),
          d.hostCount(),
          d.state(),
          // a terminated deployment's address answers no more (or serves someone else now)
          d.state() == DeploymentState.TERMINATED ? null : d.url().orElse(null),
          JsonViews.expiresIn(d, now),
          Cells.nextSync(o, now, listing.daemonServing()),
          Cells.lastSync(o, now),
          o.hostAge(now).map(Durations::human).orElse(null));
    }
    table.print(out);
    if (rows.isEmpty() && listing.hiddenTerminated() > 0) {
      main.err()
          .println(
              "no live deployments; "
                  + listing.hiddenTerminated()
                  + " terminated (`mayfly list --all` shows them, `mayfly prune` forgets them)");
    }
    Views.daemonNote(listing, now).ifPresent(main.err()::println);
    main.err().flush();
    return 0;
  }
}
