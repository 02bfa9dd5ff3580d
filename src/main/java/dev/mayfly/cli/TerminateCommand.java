package dev.mayfly.cli;

import dev.mayfly.deploy.Termination;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "terminate",
    description = {
      "Stop the service, remove what mayfly put on each host, and end the hosts.",
      "When a server mayfly does not own refuses the clean stop, the deployment stays terminate-failed (exit 1)"
          + " until a repeated terminate finishes it, or --force forgets it."
    })
final class TerminateCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Mixin ProfileOption profile;

  @Parameters(paramLabel = "ID", description = "The deployment id.")
  String id;

  @Option(
      names = "--force",
      description =
          "Forget the deployment even where its service may still run, and say where that is.")
  boolean force;

  @Override
  public Integer call() {
    Termination t = main.deployments().terminate(id, force, main.progress());
    PrintWriter out = main.out();
    out.println(t.alreadyTerminated() ? id + " already terminated" : "terminated " + id);
    out.flush();
    t.leftRunning()
        .forEach(
            (host, where) ->
                main.err()
                    .println("mayfly: forgotten, may still run: " + host + " (" + where + ")"));
    main.err().flush();
    return 0;
  }
}
