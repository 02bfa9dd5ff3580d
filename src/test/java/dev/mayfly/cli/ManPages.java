package dev.mayfly.cli;

import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * A build step, not a test (the pom's exec-maven-plugin runs it at {@code package}): writes one
 * AsciiDoc man page per command of picocli's model, the providers' own included, into the folder
 * given; asciidoctor then renders them as {@code man1} pages.
 */
public final class ManPages {
  private ManPages() {}

  public static void main(String[] args) throws java.io.IOException {
    CommandLine cli = Main.commandLine(new Main(Map.of(), Path.of("").toAbsolutePath()));
    int exit =
        ManPageGenerator.generateManPage(
            Path.of(args[0]).toFile(), null, new boolean[0], true, cli.getCommandSpec());
    if (exit != 0) {
      throw new IllegalStateException("man page generation failed with " + exit);
    }
  }
}
