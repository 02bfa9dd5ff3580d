package dev.mayfly.cli;

import dev.mayfly.MayflyException;
import dev.mayfly.deploy.Deployments;
import dev.mayfly.deploy.Services;
import dev.mayfly.provider.ProviderCommands;
import dev.mayfly.template.TemplateCatalog;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

@Command(
    name = "mayfly",
    // every command and subcommand answers --help / -h (and --version / -V) with exit 0
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description =
        "Launches whole web services as time-boxed deployments from templates, keeps their data"
            + " fresh, and ends them at expiry.",
    subcommands = {
      TemplatesCommand.class,
      TemplateCommand.class,
      LaunchCommand.class,
      ListCommand.class,
      StatusCommand.class,
      SyncCommand.class,
      ExtendCommand.class,
      RollbackCommand.class,
      RecycleCommand.class,
      LogsCommand.class,
      SshCommand.class,
      UpgradeCommand.class,
      RestartCommand.class,
      TerminateCommand.class,
      ReapCommand.class,
      DaemonCommand.class,
      ForgetHostCommand.class,
      InfoCommand.class
    },
    footerHeading = "%nFiles:%n",
    footer = {
      "  state (registry, sandboxes, logs): $MAYFLY_HOME, else $XDG_DATA_HOME/mayfly, else ~/.local/share/mayfly",
      "  templates: ./templates, ~/.config/mayfly/templates, then each folder in $MAYFLY_TEMPLATES",
      "  targets: $MAYFLY_TARGETS, else $XDG_CONFIG_HOME/mayfly/targets.yaml, else ~/.config/mayfly/targets.yaml"
    },
    exitCodeListHeading = "%nExit codes:%n")
public final class Main {
  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "Show stack traces of errors.")
  boolean verbose;

  /**
   * One option, each provider's own meaning of "profile": ec2 and metaleuca both call theirs that,
   * and picocli refuses a {@code launch --profile} beside this inherited one.
   */
  @Option(
      names = "--profile",
      scope = ScopeType.INHERIT,
      paramLabel = "NAME",
      description = {
        "ec2 targets: the AWS profile (default: $AWS_PROFILE, else the SDK's default chain).",
        "metaleuca targets, on launch: the Cobbler profile the machines are reinstalled with (default: the"
            + " target's profile)."
      })
  String profile;

  final Map<String, String> env;
  final Path cwd;
  private final Services services;
  private PrintWriter out;
  private PrintWriter err;

  Main(Map<String, String> env, Path cwd) {
    this.env = env;
    this.cwd = cwd;
    this.services = new Services(env, cwd);
  }

  public static void main(String[] args) {
    System.exit(
        run(
            args,
            System.getenv(),
            Path.of("").toAbsolutePath(),
            new PrintWriter(System.out, true),
            new PrintWriter(System.err, true)));
  }

  /** Every command, the providers' own ({@code metal …}) included. */
  static CommandLine commandLine(Main main) {
    CommandLine cli = new CommandLine(main);
    for (ProviderCommands group : main.services.providerCommands()) {
      cli.addSubcommand(group.group(), ProviderCommandLines.group(main, group));
    }
    cli.addSubcommand(new CommandLine.HelpCommand());
    return cli;
  }

  /**
   * Runs one command line; everything the process depends on comes in, so tests need no globals.
   */
  public static int run(
      String[] args, Map<String, String> env, Path cwd, PrintWriter out, PrintWriter err) {
    Main main = new Main(env, cwd);
    main.out = out;
    main.err = err;
    CommandLine cli = commandLine(main);
    cli.setOut(out);
    cli.setErr(err);
    cli.getCommandSpec().usageMessage().exitCodeList(exitCodeList());
    cli.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          if (main.verbose) {
            e.printStackTrace(err);
          }
          if (e instanceof MayflyException m) {
            err.println("mayfly: " + m.getMessage());
            return m.exit().code;
          }
          err.println(
              "mayfly: internal error ("
                  + unexpected(e, line)
                  + ")"
                  + (main.verbose ? "" : "; run with --verbose for details"));
          return MayflyException.Exit.INTERNAL.code;
        });
    try (main.services) {
      return cli.execute(args);
    }
  }

  /** {@code mayfly --help}'s exit codes: {@link MayflyException.Exit}, the one table. */
  private static Map<String, String> exitCodeList() {
    Map<String, String> list = new LinkedHashMap<>();
    for (MayflyException.Exit exit : MayflyException.Exit.values()) {
      list.put(Integer.toString(exit.code), exit.meaning);
    }
    return list;
  }

  /**
   * What failed, in words: an exception's class name and message mean nothing to a user (and may
   * quote code), so they are left to {@code --verbose}.
   */
  private static String unexpected(Exception e, CommandLine line) {
    String what =
        e instanceof NullPointerException
            ? "a value that should be there is missing"
            : "an unexpected failure";
    return what + " in `" + line.getCommandSpec().qualifiedName() + "`";
  }

  PrintWriter out() {
    return out;
  }

  PrintWriter err() {
    return err;
  }

  /** True when stderr is a terminal a person watches (progress may redraw lines there). */
  boolean interactive() {
    return System.console() != null && !"dumb".equals(env.get("TERM"));
  }

  TemplateCatalog catalog() {
    return services.catalog();
  }

  /**
   * The registry and what works on it, opened on first use, so commands that need none (template
   * check, help) stay fast.
   *
   * @param db a {@code --db} JDBC URL, or null for MAYFLY_DB / mayfly.properties / the embedded
   *     default
   */
  Services services(String db) {
    return services.open(db, profile);
  }

  Deployments deployments() {
    return services(null).deployments();
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"mayfly " + (v == null ? "dev" : v)};
    }
  }
}
