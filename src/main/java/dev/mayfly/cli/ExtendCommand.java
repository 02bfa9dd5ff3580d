package dev.mayfly.cli;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "extend",
    description = {
      "Move a deployment's expiry; the daemon reschedules it (and its notices) within its reconcile interval.",
      "Removing the expiry takes the explicit --never."
    })
final class ExtendCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(paramLabel = "ID", description = "The deployment id.")
  String id;

  @Option(
      names = "--by",
      paramLabel = "DURATION",
      description = "Add this to the current expiry (or to now, if it passed): 7d, 1d12h, P1DT12H.")
  String by;

  @Option(
      names = "--until",
      paramLabel = "TIME",
      description =
          "Expire at this time or date: 2026-12-31T23:00Z, 2026-12-31T23:00+02:00, 2026-12-31"
              + " (the end of that day, UTC).")
  String until;

  @Option(names = "--never", description = "Never expire (it then runs until `mayfly terminate`).")
  boolean never;

  @Override
  public Integer call() {
    Optional<Instant> at = main.deployments().extend(id, by, until, never);
    main.out().println(id + " expires " + at.map(Instant::toString).orElse("never"));
    main.out().flush();
    return 0;
  }
}
