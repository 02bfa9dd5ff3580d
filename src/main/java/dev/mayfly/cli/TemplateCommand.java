package dev.mayfly.cli;

import dev.mayfly.MayflyException;
import dev.mayfly.template.Template;
import dev.mayfly.template.TemplateLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "template",
    description = "Show or check one template.",
    subcommands = {TemplateCommand.Show.class, TemplateCommand.Check.class})
final class TemplateCommand {
  @ParentCommand Main main;

  /** Name or file, exactly one. */
  static final class Which {
    @Parameters(
        paramLabel = "NAME",
        arity = "0..1",
        description = "Template name (see `mayfly templates`).")
    String name;

    @Option(
        names = "--file",
        paramLabel = "PATH",
        description = "A template file instead of a name.")
    Path file;

    Template load(Main main) {
      if ((name == null) == (file == null)) {
        throw MayflyException.badInput("give a template NAME or --file PATH (one of them)");
      }
      return TemplateLoader.load(file != null ? file : main.catalog().find(name));
    }
  }

  @Command(
      name = "show",
      description = "Show a template's repos, commands, parameters and schedule.")
  static final class Show implements Callable<Integer> {
    @ParentCommand TemplateCommand parent;
    @Mixin Which which;
    @Mixin OutputOption output;

    @Override
    public Integer call() {
      Template t = which.load(parent.main);
      PrintWriter out = parent.main.out();
      if (output.json()) {
        Json.print(out, Views.template(t));
        return 0;
      }
      out.printf(
          "%s — %s%n  file     %s%n",
          t.name(), Views.printable(t.description()), Views.printable(t.file()));
      out.printf(
          "  service  %s @ %s%n  install  %s%n  start    %s%n",
          Views.printable(t.service().repo()),
          Views.printable(t.service().ref()),
          Views.printable(t.service().install()),
          Views.printable(t.service().start().orElse("-")));
      out.printf(
          "  data     %s @ %s (keep %d)%n  publish  %s%n",
          Views.printable(t.data().repo()),
          Views.printable(t.data().ref()),
          t.data().keep(),
          Views.printable(t.data().publish().orElse("-")));
      out.printf(
          "  ports    %s%n  health   GET %s on %s -> %d within %ds%n",
          t.ports(),
          Views.printable(t.health().path()),
          t.health().port(),
          t.health().status(),
          t.health().deadline().toSeconds());
      out.printf(
          "  lifetime %s%n  sync     %s%n",
          human(t.lifetime()),
          t.sync().map(s -> s.cron() + " (" + s.timezone().getId() + ")").orElse("-"));
      t.params()
          .forEach(
              (k, p) ->
                  out.printf(
                      "  param    %s%s%s — %s%n",
                      k,
                      p.required()
                          ? " (required)"
                          : p.defaultValue()
                              .filter(v -> !p.secret())
                              .map(v -> " = " + Views.printable(v))
                              .orElse(""),
                      p.secret() ? " (secret)" : "",
                      Views.printable(p.description())));
      out.flush();
      return 0;
    }

    private static String human(Duration d) {
      return dev.mayfly.template.Durations.human(d);
    }
  }

  @Command(
      name = "check",
      description = "Validate a template; print the first problem as file:line:column.")
  static final class Check implements Callable<Integer> {
    @ParentCommand TemplateCommand parent;
    @Mixin Which which;

    @Override
    public Integer call() {
      Template t = which.load(parent.main);
      parent.main.out().println("ok: " + t.name() + " (" + t.file() + ")");
      parent.main.out().flush();
      return 0;
    }
  }
}
