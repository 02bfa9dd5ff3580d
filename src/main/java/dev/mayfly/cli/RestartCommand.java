package dev.mayfly.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "restart",
    description = {
      "Restart the service on every healthy host with the deployment's frozen start command, then check"
          + " its health."
    })
final class RestartCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Mixin OutputOption output;

  @Parameters(paramLabel = "ID", description = "The deployment id.")
  String id;

  @Override
  public Integer call() {
    return ServiceOutcome.print(
        main,
        output,
        "restarted",
        main.deployments().restart(id, new ProgressPrinter(main.err(), main.interactive())));
  }
}
