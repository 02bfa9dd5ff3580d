package dev.mayfly.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "upgrade",
    description = {
      "Move the service of a running deployment to a new commit in place, host by host: export it as a new"
          + " release (no .git), run the installer there, switch service/current, restart, check health.",
      "A host that fails is switched back to its previous release and restarted (exit 1), and so are the"
          + " hosts switched before it."
    })
final class UpgradeCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Mixin OutputOption output;

  @Parameters(paramLabel = "ID", description = "The deployment id.")
  String id;

  @Option(
      names = "--to",
      paramLabel = "COMMIT|REF",
      description = "The commit, branch or tag; default: the template's ref, resolved anew.")
  String to;

  @Option(
      names = "--template",
      description =
          "Also apply the edited template file's install, start, health and url (recorded in"
              + " history); repos, ports, env and files stay as launched.")
  boolean template;

  @Override
  public Integer call() {
    return ServiceOutcome.print(
        main,
        output,
        "upgraded",
        main.deployments()
            .upgrade(id, to, template, new ProgressPrinter(main.err(), main.interactive())));
  }
}
