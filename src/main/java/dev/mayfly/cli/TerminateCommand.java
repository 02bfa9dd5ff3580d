package dev.mayfly.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "terminate", description = "Stop the service, remove what mayfly put on each host, and end the hosts.")
final class TerminateCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(paramLabel = "ID", description = "The deployment id.")
  String id;

  @Override
  public Integer call() {
    main.deployments().terminate(id, new ProgressPrinter(main.err(), main.interactive()));
    main.out().println("terminated " + id);
    main.out().flush();
    return 0;
  }
}
