package dev.mayfly.cli;

import dev.mayfly.MayflyException;
import dev.mayfly.deploy.Deployments;
import dev.mayfly.deploy.Services;
import dev.mayfly.provider.ProviderCommands;
import dev.mayfly.template.TemplateCatalog;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
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
    footerHeading = "%nFiles:%n",
    // broken by hand, between words: picocli wraps long lines at column 80, mid-path
    footer = {
      "  state (registry, sandboxes, logs): $MAYFLY_HOME, else $XDG_DATA_HOME/mayfly,",
      "    else ~/.local/share/mayfly",
      "  templates: ./templates, ~/.config/mayfly/templates, then each folder in",
      "    $MAYFLY_TEMPLATES",
      "  targets: $MAYFLY_TARGETS, else $XDG_CONFIG_HOME/mayfly/targets.yaml,",
      "    else ~/.config/mayfly/targets.yaml",
      "  man pages: target/man/man1 of a build; completion: mayfly completion bash|zsh"
    },
    exitCodeListHeading = "%nExit codes:%n")
public final class Main {
  /** The built-in commands, in help's order. */
  private static final List<Class<?>> COMMANDS =
      List.of(
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
          InfoCommand.class,
          CompletionCommand.class,
          PruneCommand.class);

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description =
          "Show stack traces of errors, and long waits' heartbeats when stderr is no terminal.")
  boolean verbose;

  /**
   * One value, each provider's own meaning of "profile": ec2 and metaleuca both call theirs that.
   * Set by {@link ProfileOption} on the commands that reach a target, or here before the command
   * ({@code mayfly --profile P launch …}).
   */
  @Option(
      names = "--profile",
      paramLabel = "NAME",
      description = "ec2: the AWS profile; metaleuca, on launch: the Cobbler profile.")
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
    return commandLine(main, new String[0], false);
  }

  /**
   * The command tree for running {@code args}: when they run one built-in command ({@link #only}),
   * the root and that command alone. picocli reads every command's annotations by reflection when
   * it builds the tree, a tenth of a second of each short command's start that a run of one command
   * does not need.
   */
  private static CommandLine commandLine(Main main, String[] args, boolean trim) {
    CommandLine cli = new CommandLine(main);
    String only = trim ? only(cli.getCommandSpec(), args) : null;
    for (Class<?> command : COMMANDS) {
      if (only == null || only.equals(name(command))) {
        cli.addSubcommand(command);
      }
    }
    if (only == null) {
      for (ProviderCommands group : main.services.providerCommands()) {
        cli.addSubcommand(group.group(), ProviderCommandLines.group(main, group));
      }
      cli.addSubcommand(new CommandLine.HelpCommand());
    }
    withExitCodes(cli);
    return cli;
  }

  /**
   * The built-in command {@code args} run, when the rest of the tree cannot matter to it: not
   * {@code completion} (it prints the whole tree), not help, and only after the root's own options
   * ({@code root}'s, so a new one needs no change here); null otherwise.
   */
  static String only(CommandLine.Model.CommandSpec root, String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.startsWith("-")) {
        int equals = arg.indexOf('=');
        CommandLine.Model.OptionSpec option =
            root.findOption(equals < 0 ? arg : arg.substring(0, equals));
        if (option == null || option.usageHelp() || option.versionHelp()) {
          return null;
        }
        if (equals < 0 && option.arity().max() > 0) {
          i++;
        }
        continue;
      }
      for (Class<?> command : COMMANDS) {
        if (command != CompletionCommand.class && name(command).equals(arg)) {
          return arg;
        }
      }
      return null;
    }
    return null;
  }

  private static String name(Class<?> command) {
    return command.getAnnotation(Command.class).name();
  }

  /**
   * Runs one command line; everything the process depends on comes in, so tests need no globals.
   */
  public static int run(
      String[] args, Map<String, String> env, Path cwd, PrintWriter out, PrintWriter err) {
    Main main = new Main(env, cwd);
    main.out = out;
    main.err = err;
    CommandLine cli = commandLine(main, args, true);
    cli.setOut(out);
    cli.setErr(err);
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

  /** Every command's help (and man page) ends with the exit codes, not just the heading. */
  private static void withExitCodes(CommandLine command) {
    command.getCommandSpec().usageMessage().exitCodeList(exitCodeList());
    command.getSubcommands().values().forEach(Main::withExitCodes);
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

  /**
   * Progress on stderr; a wait's heartbeat every 10 s, or every {@code MAYFLY_HEARTBEAT_MS}
   * milliseconds (tests watch a long wait without waiting long).
   */
  ProgressPrinter progress() {
    String every = env.get("MAYFLY_HEARTBEAT_MS");
    Duration heartbeat =
        every != null && every.matches("[1-9][0-9]{0,8}")
            ? Duration.ofMillis(Long.parseLong(every))
            : ProgressPrinter.HEARTBEAT;
    return new ProgressPrinter(err, interactive(), verbose, heartbeat);
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

  /** One read and nothing else on the registry: see {@link Services#read}. */
  <T> T read(Function<Deployments, T> read) {
    return services.read(null, profile, read);
  }

  /** The version and commit the build wrote into {@code build.properties}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws java.io.IOException {
      java.util.Properties build = new java.util.Properties();
      try (var in = Main.class.getResourceAsStream("build.properties")) {
        if (in != null) {
          build.load(in);
        }
      }
      return new String[] {
        "mayfly "
            + build.getProperty("version", "dev")
            + " (commit "
            + build.getProperty("commit", "unknown")
            + ")"
      };
    }
  }
}
