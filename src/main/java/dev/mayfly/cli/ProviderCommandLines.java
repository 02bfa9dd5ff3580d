package dev.mayfly.cli;

import dev.mayfly.provider.ProviderCommands;
import dev.mayfly.provider.ProviderCommands.Args;
import dev.mayfly.provider.ProviderCommands.Command;
import dev.mayfly.provider.ProviderCommands.Listing;
import dev.mayfly.provider.ProviderCommands.Message;
import dev.mayfly.provider.ProviderCommands.Option;
import dev.mayfly.provider.ProviderCommands.Parameter;
import dev.mayfly.provider.ProviderCommands.Result;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The commands providers add ({@code mayfly metal systems}), made for picocli from their
 * description: each gets {@code --target}, listings get {@code --output}, and running one calls the
 * provider through {@code deploy}, so the command line never knows a provider.
 */
final class ProviderCommandLines {
  private static final String TARGET = "--target";

  private ProviderCommandLines() {}

  static CommandLine group(Main main, ProviderCommands group) {
    CommandSpec spec = CommandSpec.create();
    spec.usageMessage().description(group.description());
    CommandLine line = new CommandLine(spec);
    for (Command command : group.commands()) {
      line.addSubcommand(command.name(), command(main, group, command));
    }
    return line;
  }

  private static CommandLine command(Main main, ProviderCommands group, Command command) {
    Run run = new Run(main, group, command);
    CommandSpec spec = CommandSpec.wrapWithoutInspection(run);
    spec.usageMessage().description(command.description());
    spec.addOption(
        OptionSpec.builder(TARGET)
            .paramLabel("TARGET")
            .type(String.class)
            .description(
                "A " + group.provider() + " target (default: the only one in the targets file).")
            .build());
    if (command.listing()) {
      spec.addMixin("output", CommandSpec.forAnnotatedObject(run.output));
    }
    for (Option option : command.options()) {
      OptionSpec.Builder builder =
          OptionSpec.builder(option.names().toArray(String[]::new))
              .description(option.description());
      spec.addOption(
          option.label() == null
              ? builder.type(boolean.class).build()
              : builder.paramLabel(option.label()).type(String.class).build());
    }
    for (Parameter parameter : command.parameters()) {
      spec.addPositional(
          PositionalParamSpec.builder()
              .paramLabel(parameter.label())
              .arity("1")
              .required(true)
              .type(String.class)
              .description(parameter.description())
              .build());
    }
    run.spec = spec;
    return new CommandLine(spec);
  }

  /**
   * Parses nothing itself: picocli fills {@link #spec}, then this passes the values on and renders.
   */
  private static final class Run implements Callable<Integer> {
    private final Main main;
    private final ProviderCommands group;
    private final Command command;
    private final OutputOption output = new OutputOption();
    private CommandSpec spec;

    Run(Main main, ProviderCommands group, Command command) {
      this.main = main;
      this.group = group;
      this.command = command;
    }

    @Override
    public Integer call() {
      Map<String, String> options = new HashMap<>();
      for (Option option : command.options()) {
        Object value = spec.findOption(option.key()).getValue();
        if (value != null) {
          options.put(option.key(), value.toString());
        }
      }
      List<String> parameters =
          spec.positionalParameters().stream().map(p -> p.<String>getValue()).toList();
      String target = spec.findOption(TARGET).getValue();
      Result result =
          main.services(null)
              .runProviderCommand(group, command, target, new Args(options, parameters));
      if (result instanceof Listing listing) {
        print(listing);
      } else if (result instanceof Message message) {
        main.err().println(message.text());
      }
      return 0;
    }

    private void print(Listing listing) {
      if (output.json()) {
        Json.print(main.out(), listing.json());
        return;
      }
      if (listing.rows().isEmpty() && listing.empty() != null) {
        main.err().println(listing.empty());
        main.err().flush();
        return;
      }
      Table table = new Table(listing.columns().toArray(String[]::new));
      listing.rows().forEach(row -> table.row(row.toArray()));
      table.print(main.out());
    }
  }
}
