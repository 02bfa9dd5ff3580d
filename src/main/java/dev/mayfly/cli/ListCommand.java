package dev.mayfly.cli;

import dev.mayfly.deploy.Deployments;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.template.Durations;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "list",
    description = "List deployments, newest first, with time left and their syncs.")
final class ListCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Mixin OutputOption output;

  @Option(
      names = "--older-than",
      paramLabel = "AGE",
      description =
          "Only deployments whose hosts are older than this (e.g. 30d): due for a recycle.")
  String olderThan;

  @Override
  public Integer call() {
    List<Deployments.Overview> rows = main.deployments().overview(olderThan);
    Instant now = Instant.now();
    var out = main.out();
    if (output.json()) {
      Json.print(out, rows.stream().map(o -> Views.overview(o, now)).toList());
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
          d.url().orElse(null),
          Views.expiresIn(d, now),
          Views.nextSync(o, now),
          Views.lastSync(o, now),
          o.hostAge(now).map(Durations::human).orElse(null));
    }
    table.print(out);
    return 0;
  }
}
