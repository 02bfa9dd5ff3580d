package dev.mayfly.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.testing.MayflyCli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `mayfly completion bash`, sourced in a real bash, completes like a user's TAB would. */
class CompletionTest {
  @TempDir Path home;

  /** What bash offers for {@code line} (a trailing space: the next word, empty). */
  private List<String> complete(Path script, String line) throws Exception {
    String driver =
        """
        source "$1" 2>/dev/null
        fn=$(complete -p mayfly | sed -E 's/.*-F ([^ ]+).*/\\1/')
        read -ra COMP_WORDS <<<"$2"
        [[ "$2" == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMP_LINE="$2"
        COMP_POINT=${#COMP_LINE}
        COMPREPLY=()
        "$fn" mayfly "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null
        printf '%s\\n' "${COMPREPLY[@]}"
        """;
    Process bash =
        new ProcessBuilder("bash", "-c", driver, "driver", script.toString(), line)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(bash.waitFor(60, TimeUnit.SECONDS));
    return out.lines().filter(s -> !s.isBlank()).map(String::strip).sorted().toList();
  }

  @Test
  void bashCompletesCommandsSubcommandsOptionsAndChoices() throws Exception {
    MayflyCli.Result r = new MayflyCli(home, home).run("completion", "bash");
    assertEquals(0, r.exit(), r::toString);
    Path script = Files.writeString(home.resolve("mayfly.bash"), r.out());

    assertEquals(List.of("launch"), complete(script, "mayfly la"));
    assertEquals(List.of("template", "templates", "terminate"), complete(script, "mayfly te"));
    assertEquals(List.of("groups"), complete(script, "mayfly metal gr"));
    assertEquals(List.of("--output"), complete(script, "mayfly list --ou"));
    assertEquals(List.of("bash", "zsh"), complete(script, "mayfly completion "));
  }

  @Test
  void theZshScriptLoadsBashcompinitAndCompletesTheSameCommands() {
    MayflyCli mayfly = new MayflyCli(home, home);
    MayflyCli.Result zsh = mayfly.run("completion", "zsh");
    assertEquals(0, zsh.exit(), zsh::toString);
    assertTrue(zsh.out().contains("bashcompinit"), zsh.out());
    assertEquals(mayfly.run("completion", "bash").out(), zsh.out());
  }

  @Test
  void anUnknownShellIsBadInputNamingTheChoices() {
    MayflyCli.Result r = new MayflyCli(home, home).run("completion", "fish");
    assertEquals(2, r.exit(), r::toString);
    assertTrue(r.err().contains("bash, zsh"), r.err());
  }
}
