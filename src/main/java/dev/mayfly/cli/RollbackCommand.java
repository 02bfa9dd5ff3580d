package dev.mayfly.cli;

import dev.mayfly.deploy.Deployments;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "rollback",
    description = {
      "Switch the data back to an earlier release on every healthy host (atomically, without refetching when"
          + " the release is still there).",
      "Scheduled syncs then leave the deployment at that commit until `mayfly sync ID`.",
      "With --service: switch the service back to the release before the live one and restart it."
    })
final class RollbackCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(paramLabel = "ID", description = "The deployment id.")
  String id;

  @Option(
      names = "--to",
      paramLabel = "COMMIT",
      description = "The release (commit or unique prefix); default: the one before the live one.")
  String to;

  @Option(
      names = "--service",
      description =
          "Roll back the service instead of the data: one service release back, restarted and"
              + " health-checked on every healthy host.")
  boolean service;

  @Mixin OutputOption output;

  @Override
  public Integer call() {
    if (service) {
      if (to != null) {
        throw dev.mayfly.MayflyException.badInput(
            "rollback: --to picks a data release; --service goes back one service release");
      }
      return ServiceOutcome.print(
          main,
          output,
          "rolled back",
          main.deployments()
              .rollbackService(id, new ProgressPrinter(main.err(), main.interactive())));
    }
    Deployments.SyncResult r =
        main.deployments().rollback(id, to, new ProgressPrinter(main.err(), main.interactive()));
    if (output.json()) {
      Json.print(main.out(), Views.sync(r));
    } else {
      main.out()
          .println(
              "data at "
                  + Views.shortCommit(r.commit())
                  + " on "
                  + (r.updated().size() + r.unchanged().size())
                  + " host(s)");
    }
    r.failures()
        .forEach(
            (host, why) ->
                main.err()
                    .println(
                        "mayfly: " + host + ": rollback failed, its release is unchanged: " + why));
    main.out().flush();
    main.err().flush();
    return r.failures().isEmpty() ? 0 : 1;
  }
}
