package dev.mayfly.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The build's man pages: one per command of picocli's model, each one `man` can show. */
class ManPagesIT {
  private static final Path MAN = Path.of(System.getProperty("mayfly.man", "target/man"));

  @Test
  void everyCommandHasAManPageThatManRenders() throws Exception {
    List<CommandLine> commands = new ArrayList<>();
    collect(Main.commandLine(new Main(Map.of(), Path.of("").toAbsolutePath())), commands);
    assertTrue(commands.size() > 15, "found the commands");
    for (CommandLine c : commands) {
      String name = c.getCommandSpec().qualifiedName("-");
      Path page = MAN.resolve("man1").resolve(name + ".1");
      assertTrue(Files.isRegularFile(page), "a man page for `" + name + "` at " + page);
      Process man =
          new ProcessBuilder("man", "-l", page.toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.PIPE)
              .start();
      String text = new String(man.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(man.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, man.exitValue(), text);
      assertTrue(text.contains("SYNOPSIS") && text.contains(name + " - "), name + ": " + text);
      var usage = c.getCommandSpec().usageMessage();
      String first = (usage.header().length > 0 ? usage.header() : usage.description())[0];
      String words = first.split("[`(:]")[0].strip();
      assertTrue(
          text.replaceAll("\\s+", " ").contains(words), name + " shows its description: " + text);
    }
  }

  private static void collect(CommandLine command, List<CommandLine> into) {
    into.add(command);
    command.getSubcommands().values().stream().distinct().forEach(c -> collect(c, into));
  }
}
