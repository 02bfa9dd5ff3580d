package dev.mayfly.cli;

import dev.mayfly.MayflyException;
import dev.mayfly.deploy.HostOutcome;
import dev.mayfly.deploy.LaunchCancel;
import dev.mayfly.deploy.LaunchOptions;
import dev.mayfly.deploy.LaunchResult;
import dev.mayfly.template.Params;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "launch",
    description = {
      "Launch a template as a new deployment and print its URL.",
      "Repos are pinned to commits first; then each host gets the service, its installer runs, the data is"
          + " published and the service must answer its health check."
    })
final class LaunchCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Mixin OutputOption output;

  @Parameters(
      paramLabel = "TEMPLATE",
      arity = "0..1",
      description = "Template name (see `mayfly templates`).")
  String template;

  @Option(
      names = "--file",
      paramLabel = "PATH",
      description = "Launch the template in this file instead of by name.")
  Path file;

  @Option(
      names = {"-p", "--param"},
      paramLabel = "NAME=VALUE",
      description =
          "A template parameter; repeatable. Visible in `ps`: pass secrets with --param-file or"
              + " --param-stdin.")
  List<String> params = new ArrayList<>();

  @Option(
      names = "--param-file",
      paramLabel = "FILE",
      description =
          "Parameters from a file: NAME=VALUE lines or a YAML map; must be mode 600 if it holds a secret.")
  Path paramFile;

  @Option(
      names = "--param-stdin",
      paramLabel = "NAME",
      description =
          "Read this parameter's value from standard input (one trailing newline dropped).")
  String paramStdin;

  @Option(
      names = "--expires",
      paramLabel = "WHEN",
      description =
          "When it ends: a duration (30d, 1d12h, P1DT12H), a time with a zone (2026-12-31T23:00Z,"
              + " 2026-12-31T23:00+02:00), a date (2026-12-31: the end of that day, UTC), or never"
              + " (only when asked for by name). Default: the template's lifetime.")
  String expires;

  @Option(
      names = "--sync",
      paramLabel = "CRON",
      description =
          "Sync the data on this Unix 5-field cron (e.g. '0 1 * * *', '@daily') instead of the"
              + " template's schedule; the daemon runs it, as cronie would.")
  String sync;

  @Option(
      names = "--recycle-every",
      paramLabel = "AGE|never",
      description =
          "Have the daemon replace the hosts when they are older than this (30d), or never;"
              + " default: the template's recycle.every.")
  String recycleEvery;

  @Option(
      names = "--tz",
      paramLabel = "ZONE",
      description =
          "Time zone of the sync schedule (e.g. Europe/Berlin). Default: the template's"
              + " sync.timezone, else UTC.")
  String tz;

  @Option(
      names = "--name",
      paramLabel = "ID",
      description = "Deployment id (default: <template>-<random>).")
  String name;

  @Option(
      names = "--target",
      defaultValue = "local",
      paramLabel = "TARGET",
      description = "Where hosts come from (default: ${DEFAULT-VALUE}, a sandbox on this machine).")
  String target;

  @Option(
      names = {"-n", "--count"},
      defaultValue = "1",
      paramLabel = "N",
      description = "Number of hosts (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(
      names = "--max-hosts",
      paramLabel = "N",
      description =
          "Allow more hosts than the target's cap (local: 16; others: their own bound, else 256).")
  Integer maxHosts;

  @Option(
      names = "--parallel",
      defaultValue = "32",
      paramLabel = "N",
      description = "Hosts bootstrapped at once (default: ${DEFAULT-VALUE}).")
  int parallel;

  @Option(
      names = "--host",
      paramLabel = "USER@ADDR[:PORT]",
      description = "A server, for targets that take existing servers; repeatable.")
  List<String> hosts = new ArrayList<>();

  @Option(
      names = "--identity",
      paramLabel = "KEY|agent",
      description =
          "Log in to hosts with this private key file, or with ssh-agent ('agent')."
              + " Default: a new ed25519 key for this deployment, kept under the state folder.")
  String identity;

  @Option(
      names = "--git-mode",
      paramLabel = "MODE",
      description =
          "How hosts get the repos: pull (the host fetches), push (mayfly uploads a git bundle) or"
              + " auto (pull, else push). Default: the template's git key, else auto.")
  String gitMode;

  @Option(
      names = "--ssh-timeout",
      paramLabel = "DURATION",
      description =
          "How long to keep trying to log in to a host that is still booting (default: 3m).")
  String sshTimeout;

  @Option(
      names = "--group",
      paramLabel = "GROUP",
      description =
          "metaleuca targets: the machine group to take free machines from (see `mayfly metal groups`).")
  String group;

  @Option(
      names = "--on-failure",
      paramLabel = "end|keep",
      defaultValue = "end",
      description =
          "When the launch does not end healthy: end every host it started (default), or keep them"
              + " for debugging until --keep-for has passed.")
  String onFailure;

  @Option(
      names = "--keep-for",
      paramLabel = "DURATION",
      description =
          "How long --on-failure keep keeps the hosts (default: 2h); then expiry and the reaper end them.")
  String keepFor;

  @Override
  public Integer call() {
    if ((template == null) == (file == null)) {
      throw MayflyException.badInput("launch: give a TEMPLATE name or --file PATH (one of them)");
    }
    LaunchOptions options =
        new LaunchOptions(
            template,
            file,
            params,
            expires,
            name,
            target,
            count,
            parallel,
            hosts,
            sync,
            identity == null || identity.equals("agent")
                ? identity
                : main.cwd.resolve(identity).toString(),
            gitMode,
            sshTimeout,
            providerOptions(),
            maxHosts,
            paramFile == null ? null : main.cwd.resolve(paramFile),
            paramStdin == null ? Map.of() : Map.of(paramStdin, readStdin()),
            onFailure,
            keepFor,
            recycleEvery,
            tz);
    LaunchResult result;
    try (LaunchCancel cancel = LaunchCancel.onSignals()) {
      result =
          main.deployments()
              .launch(options, new ProgressPrinter(main.err(), main.interactive()), cancel);
    }
    render(result);
    return result.ok() ? 0 : 1;
  }

  /**
   * All of standard input, without its one trailing newline; a little over the value limit at most.
   */
  private static String readStdin() {
    try {
      String text =
          new String(System.in.readNBytes(Params.MAX_VALUE_BYTES + 2), StandardCharsets.UTF_8);
      return text.endsWith("\r\n")
          ? text.substring(0, text.length() - 2)
          : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    } catch (IOException e) {
      throw MayflyException.badInput(
          "--param-stdin: cannot read standard input (" + e.getMessage() + ")");
    }
  }

  private Map<String, List<String>> providerOptions() {
    Map<String, List<String>> options = new LinkedHashMap<>();
    if (group != null) {
      options.put("group", List.of(group));
    }
    // --profile is mayfly's inherited option (the AWS profile on ec2): on a metaleuca target, the
    // Cobbler profile
    if (main.profile != null) {
      options.put("profile", List.of(main.profile));
    }
    return options;
  }

  private void render(LaunchResult result) {
    PrintWriter out = main.out();
    if (output.json()) {
      Json.print(out, Views.launch(result));
      return;
    }
    if (result.hosts().size() > 1 || !result.ok()) {
      Table table = new Table("HOST", "RESULT", "URL / FAILURE");
      for (HostOutcome h : result.hosts()) {
        table.row(
            h.hostId(),
            h.healthy() ? "healthy" : "failed at " + h.failedStep(),
            h.healthy() ? h.url() : h.message());
      }
      table.print(main.err());
    }
    for (HostOutcome h : result.hosts()) {
      if (!h.healthy()) {
        PrintWriter err = main.err();
        err.println(
            "mayfly: "
                + h.hostId()
                + ": step "
                + h.failedStep()
                + " failed: "
                + Views.printable(h.message()));
        if (h.logTail() != null && !h.logTail().isBlank()) {
          err.println("  last lines (full log: " + h.log() + "):");
          h.logTail().lines().forEach(l -> err.println("  | " + Views.printable(l)));
        }
        err.flush();
      }
    }
    if (result.ok()) {
      out.println(result.url());
      main.err()
          .println(
              "deployment "
                  + result.deploymentId()
                  + " is running "
                  + (result.expiresAt() == null
                      ? "until terminated (never expires)"
                      : "until " + result.expiresAt()));
    } else {
      main.err().println("deployment " + result.deploymentId() + " failed: " + result.cleanup());
    }
    out.flush();
    main.err().flush();
  }
}
