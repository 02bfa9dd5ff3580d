package dev.mayfly.cli;

import dev.mayfly.deploy.Reaper;
import dev.mayfly.template.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "reap",
    description = {
      "End every host this registry holds whose deployment is expired, unknown, terminated, failed, or whose"
          + " launch was abandoned. Another registry's hosts are listed as foreign and never touched; hosts"
          + " without mayfly's tags are never touched, those without a registry id only with --adopt."
    })
final class ReapCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Mixin ProfileOption profile;
  @Mixin OutputOption output;

  @Option(names = "--dry-run", description = "Show what would be ended; end nothing.")
  boolean dryRun;

  @Option(
      names = "--target",
      paramLabel = "TARGET",
      description =
          "Only this target (default: the targets file's, the registry's, and each provider's own).")
  String target;

  @Option(
      names = "--grace",
      paramLabel = "DURATION",
      defaultValue = "0s",
      description =
          "How long past its expiry a deployment is left alone (default: ${DEFAULT-VALUE}).")
  String grace;

  @Option(
      names = "--stale-launch",
      paramLabel = "DURATION",
      defaultValue = "1h",
      description =
          "A deployment still launching after this long counts as abandoned (default: ${DEFAULT-VALUE};"
              + " 0s for any launch in progress).")
  String staleLaunch;

  @Option(
      names = "--adopt",
      paramLabel = "ID",
      description =
          "Claim the hosts of deployment ID that carry mayfly's deployment tag but no registry id (made"
              + " before registries had one) as this registry's; repeatable.")
  List<String> adopt = new ArrayList<>();

  @Override
  public Integer call() {
    List<Reaper.Finding> findings =
        main.services(null)
            .reaper()
            .reap(
                target,
                !dryRun,
                duration("--grace", grace),
                duration("--stale-launch", staleLaunch),
                Set.copyOf(adopt));
    var out = main.out();
    if (output.json()) {
      Json.print(out, findings.stream().map(Views::finding).toList());
      return findings.stream().anyMatch(f -> f.error() != null) ? 1 : 0;
    }
    Table table = new Table("TARGET", "DEPLOYMENT", "HOSTS", "WHY", "EXPIRES", "RESULT");
    for (Reaper.Finding f : findings) {
      table.row(
          f.provider(),
          f.deploymentId(),
          String.join(" ", f.hostIds()),
          f.why(),
          f.expiresAt().map(Instant::toString).orElse("-"),
          f.leftAlone()
              ? "left alone"
              : f.error() != null ? "failed: " + f.error() : f.reaped() ? "ended" : "would end");
    }
    table.print(out);
    out.flush();
    long ending = findings.stream().filter(f -> !f.leftAlone()).count();
    main.err()
        .println(
            ending == 0
                ? "nothing to reap"
                : ending + " deployment(s) " + (dryRun ? "would be ended (dry run)" : "reaped"));
    main.err().flush();
    return findings.stream().anyMatch(f -> f.error() != null) ? 1 : 0;
  }

  /** A duration where {@code 0s} is allowed (reap and prune: "no grace"). */
  static Duration duration(String option, String text) {
    return text.strip().equals("0s") ? Duration.ZERO : Durations.parse(option, text);
  }
}
