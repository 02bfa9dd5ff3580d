package dev.mayfly.cli;

import picocli.CommandLine.Option;

/** {@code --output table|json}, shared by every listing. */
final class OutputOption {
  enum Format {
    table,
    json
  }

  @Option(
      names = {"-o", "--output"},
      defaultValue = "table",
      description = "table or json (default: ${DEFAULT-VALUE}).")
  Format format;

  boolean json() {
    return format == Format.json;
  }
}
