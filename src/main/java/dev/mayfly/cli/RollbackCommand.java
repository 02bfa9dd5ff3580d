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
      "Scheduled syncs then leave the deployment at that commit until `mayfly sync ID`."
    })
final class RollbackCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Mixin ProfileOption profile;

  @Parameters(paramLabel = "ID", description = "The deployment id.")
  String id;

  @Option(
      names = "--to",
      paramLabel = "COMMIT",
      description = "The release (commit or unique prefix); default: the one before the live one.")
  String to;

  @Override
  public Integer call() {
    Deployments.SyncResult r = main.deployments().rollback(id, to, main.progress());
    main.out()
        .println(
            "data at "
                + Views.shortCommit(r.commit())
                + " on "
                + (r.updated().size() + r.unchanged().size())
                + " host(s)");
    r.failedSteps().forEach(h -> Views.printFailure(main.err(), h, ", its release is unchanged"));
    main.out().flush();
    main.err().flush();
    return r.failures().isEmpty() ? 0 : 1;
  }
}
