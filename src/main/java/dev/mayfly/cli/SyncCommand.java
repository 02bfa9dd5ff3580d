package dev.mayfly.cli;

import dev.mayfly.deploy.Deployments;
import dev.mayfly.view.JsonViews;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "sync",
    description = {
      "Publish the data repo's newest commit, if it moved, as a new release on every healthy host.",
      "A host that fails keeps serving its previous release."
    })
final class SyncCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Mixin ProfileOption profile;
  @Mixin OutputOption output;

  @Parameters(paramLabel = "ID", description = "The deployment id.")
  String id;

  @Override
  public Integer call() {
    Deployments.SyncResult r = main.deployments().sync(id, main.progress());
    PrintWriter out = main.out();
    if (output.json()) {
      Json.print(out, JsonViews.sync(r));
    } else if (r.changedAnything()) {
      out.println(
          "published data "
              + Views.shortCommit(r.commit())
              + " on "
              + String.join(", ", r.updated()));
    } else if (r.failures().isEmpty()) {
      out.println(
          "data unchanged (still " + Views.shortCommit(r.commit()) + "): nothing to publish");
    }
    r.failedSteps()
        .forEach(h -> Views.printFailure(main.err(), h, ", previous release still serving"));
    out.flush();
    main.err().flush();
    return r.failures().isEmpty() ? 0 : 1;
  }
}
