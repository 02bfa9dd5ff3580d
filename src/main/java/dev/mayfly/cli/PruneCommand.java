package dev.mayfly.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "prune",
    description = {
      "Forget terminated deployments that ended a while ago: their registry rows, history and logs,",
      "so `list --all` stays short and their names can be launched again."
    })
final class PruneCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(
      names = "--older-than",
      defaultValue = "7d",
      paramLabel = "DURATION",
      description =
          "Only those that ended longer ago than this (default: ${DEFAULT-VALUE}; 0s: all).")
  String olderThan;

  @Option(names = "--dry-run", description = "Show what would be forgotten; forget nothing.")
  boolean dryRun;

  @Override
  public Integer call() {
    List<String> ids =
        main.deployments().prune(ReapCommand.duration("--older-than", olderThan), dryRun);
    ids.forEach(main.out()::println);
    main.out().flush();
    main.err()
        .println(
            ids.isEmpty()
                ? "nothing to prune: no deployment terminated more than " + olderThan + " ago"
                : ids.size()
                    + " terminated deployment(s) "
                    + (dryRun ? "would be forgotten (dry run)" : "forgotten"));
    main.err().flush();
    return 0;
  }
}
