package dev.mayfly.cli;

import dev.mayfly.deploy.Services;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "info",
    description = {
      "Show which registry this mayfly works for: its id (carried by every resource it creates, so",
      "another registry never ends them), the state folder, the database and the providers installed."
    })
final class InfoCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Mixin OutputOption output;

  @Override
  public Integer call() {
    Services.Info info = main.services(null).info();
    PrintWriter out = main.out();
    if (output.json()) {
      Json.print(out, Views.info(info));
    } else {
      Views.info(info)
          .forEach(
              (k, v) ->
                  out.printf(
                      "%-10s %s%n",
                      k,
                      v instanceof List<?> list
                          ? list.stream().map(String::valueOf).collect(Collectors.joining(", "))
                          : v));
    }
    out.flush();
    return 0;
  }
}
