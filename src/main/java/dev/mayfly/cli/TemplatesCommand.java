package dev.mayfly.cli;

import dev.mayfly.template.TemplateCatalog;
import dev.mayfly.view.JsonViews;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "templates",
    description = "List the templates mayfly can launch, and any that do not validate.")
final class TemplatesCommand implements Callable<Integer> {
  @ParentCommand Main main;
  @Mixin OutputOption output;

  @Override
  public Integer call() {
    List<TemplateCatalog.Entry> entries = main.catalog().list();
    if (output.json()) {
      Json.print(main.out(), entries.stream().map(JsonViews::catalogEntry).toList());
      return 0;
    }
    Table table = new Table("NAME", "DESCRIPTION", "FILE");
    for (TemplateCatalog.Entry e : entries) {
      table.row(
          e.name(),
          e.ok() ? e.description().orElse("") : "INVALID: " + e.error().orElse(""),
          e.file());
    }
    table.print(main.out());
    return 0;
  }
}
