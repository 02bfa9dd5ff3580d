package dev.mayfly.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "logs",
    description = {
      "Print the service log of every host, each line prefixed with its host (like `heroku logs`).",
      "With -f keep printing new lines until Ctrl-C."
    })
final class LogsCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(paramLabel = "ID", description = "The deployment id.")
  String id;

  @Option(names = "--host", paramLabel = "HOST", description = "Only this host (id or address).")
  String host;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing lines as the services write them.")
  boolean follow;

  @Option(
      names = "--since",
      paramLabel = "AGE",
      description =
          "Only events and log lines (those that start with a time) this recent, e.g. 10m.")
  String since;

  @Option(
      names = {"-n", "--lines"},
      defaultValue = "100",
      paramLabel = "N",
      description = "The last N lines of each host (default: ${DEFAULT-VALUE}).")
  int lines;

  @Option(names = "--events", description = "Print the deployment's history first.")
  boolean events;

  @Override
  public Integer call() {
    PrintWriter out = main.out();
    main.deployments()
        .logs(
            id,
            host,
            follow,
            since,
            lines,
            events,
            line -> {
              synchronized (out) {
                out.println(Views.printable(line));
                out.flush();
              }
            });
    return 0;
  }
}
