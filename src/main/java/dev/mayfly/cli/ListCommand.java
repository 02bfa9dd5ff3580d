package dev.mayfly.cli;

import dev.mayfly.deploy.Deployments;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.view.Cells;
import dev.mayfly.view.JsonViews;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "list",
    description = "List deployments, newest first, with time left and their syncs.")
final class ListCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Mixin OutputOption output;

  @Override
  public Integer call() {
    List<Deployments.Overview> rows = main.deployments().overview();
    Instant now = Instant.now();
    var out = main.out();
    if (output.json()) {
      Json.print(out, rows.stream().map(o -> JsonViews.overview(o, now)).toList());
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
            "LAST SYNC");
    for (Deployments.Overview o : rows) {
      DeploymentRow d = o.deployment();
      table.row(
          d.id(),
          d.template(),
          d.target(),
          d.hostCount(),
          d.state(),
          d.url().orElse(null),
          JsonViews.expiresIn(d, now),
          Cells.nextSync(o, now),
          Cells.lastSync(o, now));
    }
    table.print(out);
    return 0;
  }
}
