package dev.mayfly.cli;

import dev.mayfly.store.DeploymentRow;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

@Command(name = "list", description = "List deployments, newest first.")
final class ListCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Mixin OutputOption output;

  @Override
  public Integer call() {
    List<DeploymentRow> rows = main.deployments().list();
    Instant now = Instant.now();
    var out = main.out();
    if (output.json()) {
      Json.print(out, rows.stream().map(d -> Views.deployment(d, now)).toList());
      return 0;
    }
    Table table = new Table("ID", "TEMPLATE", "TARGET", "HOSTS", "STATE", "URL", "EXPIRES IN");
    for (DeploymentRow d : rows) {
      table.row(d.id(), d.template(), d.target(), d.hostCount(), d.state(), d.url().orElse(null),
          Views.expiresIn(d, now));
    }
    table.print(out);
    return 0;
  }
}
