package dev.mayfly.cli;

import dev.mayfly.deploy.Reaper;
import dev.mayfly.template.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "reap",
    description = {
      "End every mayfly-tagged host that is expired, or whose deployment is unknown, terminated, or whose"
          + " launch was abandoned. Hosts without mayfly's tags are never touched."
    })
final class ReapCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Mixin OutputOption output;

  @Option(names = "--dry-run", description = "Show what would be ended; end nothing.")
  boolean dryRun;

  @Option(names = "--target", paramLabel = "TARGET",
      description = "Only this target (default: every target of the targets file and of the registry).")
  String target;

  @Option(names = "--stale-launch", paramLabel = "DURATION", defaultValue = "1h",
      description = "A deployment still launching after this long counts as abandoned (default: ${DEFAULT-VALUE};"
          + " 0s for any launch in progress).")
  String staleLaunch;

  @Override
  public Integer call() {
    Duration stale = staleLaunch.strip().equals("0s") ? Duration.ZERO : Durations.parse("--stale-launch", staleLaunch);
    List<Reaper.Reaped> reaped = main.reaper().reap(target, dryRun, stale);
    var out = main.out();
    if (output.json()) {
      Json.print(out, reaped.stream().map(ReapCommand::view).toList());
      return 0;
    }
    Table table = new Table("TARGET", "DEPLOYMENT", "HOST", "REASON", "EXPIRES", "ACTION");
    for (Reaper.Reaped r : reaped) {
      table.row(r.target(), r.deploymentId(), r.hostId(), r.reason(), r.expiresAt().map(Instant::toString).orElse("-"),
          r.terminated() ? "terminated" : "would terminate");
    }
    table.print(out);
    main.err().println(reaped.isEmpty() ? "nothing to reap"
        : reaped.size() + " host(s) " + (dryRun ? "would be ended (dry run)" : "ended"));
    main.err().flush();
    return 0;
  }

  private static Map<String, Object> view(Reaper.Reaped r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("target", r.target());
    m.put("deployment", r.deploymentId());
    m.put("host", r.hostId());
    m.put("reason", r.reason());
    m.put("expiresAt", r.expiresAt().map(Instant::toString).orElse(null));
    m.put("terminated", r.terminated());
    return m;
  }
}
