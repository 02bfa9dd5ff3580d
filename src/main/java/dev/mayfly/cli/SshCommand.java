package dev.mayfly.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "ssh",
    description = {
      "Open a shell (or run COMMAND) on a host of the deployment, in its root with mayfly.env loaded,"
          + " logging in with the deployment's key and the host key mayfly pinned; a changed key is"
          + " refused.",
      "On the local target: a shell in the sandbox.",
      "On the docker target: COMMAND runs through the Engine's exec; there is no interactive shell."
    })
final class SshCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(index = "0", paramLabel = "ID", description = "The deployment id.")
  String id;

  @Parameters(
      index = "1..*",
      paramLabel = "COMMAND",
      description = "What to run (after --); default: an interactive shell.")
  List<String> command = List.of();

  @Option(
      names = "--host",
      paramLabel = "HOST",
      description = "The host (id or address); default: the first.")
  String host;

  @Override
  public Integer call() {
    PrintWriter out = main.out();
    int exit =
        main.deployments()
            .shell(
                id,
                host,
                command,
                line -> {
                  out.println(line);
                  out.flush();
                },
                note -> main.err().println(note));
    out.flush();
    main.err().flush();
    return exit;
  }
}
