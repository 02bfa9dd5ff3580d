package dev.mayfly.cli;

import dev.mayfly.deploy.Deployments;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "recycle",
    description = {
      "Replace every host with a fresh one at the newest service and data commits: the new hosts are"
          + " built and healthy before an old one ends; when they fail the old ones keep serving.",
      "Keeps the id, history and expiry. On ssh, metaleuca and local hosts the deployment is rebuilt in a"
          + " new root and switched (the gap is printed)."
    })
final class RecycleCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Mixin OutputOption output;

  @Parameters(paramLabel = "ID", description = "The deployment id.")
  String id;

  @Option(
      names = "--same-commits",
      description = "Keep the service and data commits the deployment runs now.")
  boolean sameCommits;

  @Override
  public Integer call() {
    Deployments.RecycleResult r =
        main.deployments()
            .recycle(id, sameCommits, new ProgressPrinter(main.err(), main.interactive()));
    PrintWriter out = main.out();
    if (output.json()) {
      Json.print(out, Views.recycle(r));
    } else if (r.ok()) {
      for (Deployments.HostMove h : r.hosts()) {
        out.println(
            "recycled "
                + h.host()
                + ": "
                + h.newRoot()
                + " (no service for "
                + h.gapMillis()
                + " ms)");
      }
      out.println(
          "service "
              + Views.shortCommit(r.newService())
              + ", data "
              + Views.shortCommit(r.newData())
              + (r.urlChanged() ? "; new URL " + r.url() : ""));
    }
    if (!r.ok()) {
      main.err().println("mayfly: recycle " + id + " failed: " + r.why());
    }
    out.flush();
    main.err().flush();
    return r.ok() ? 0 : 1;
  }
}
