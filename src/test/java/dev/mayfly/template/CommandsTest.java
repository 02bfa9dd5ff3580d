package dev.mayfly.template;

import static dev.mayfly.template.TestTemplates.param;
import static dev.mayfly.template.TestTemplates.withParams;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandsTest {
  @Test
  void placeholdersBecomeQuotedVariableReferences() {
    assertEquals(
        "./install.sh -e \"${MAYFLY_PARAM_EMAIL}\" --port \"${MAYFLY_PORT_HTTP}\" --n \"${MAYFLY_PARAM_MAX_RUNS}\"",
        Commands.render("./install.sh -e {{email}} --port {{ ports.http }} --n {{max_runs}}"));
  }

  @Test
  void commandWithoutPlaceholdersIsUnchanged() {
    assertEquals(
        "ls runs > index.txt && echo '$HOME'",
        Commands.render("ls runs > index.txt && echo '$HOME'"));
  }

  @Test
  void envFileListsParamsPortsAndExtrasEachQuoted() {
    Template t = withParams(param("email", true, null, null), param("title", false, "QA", null));
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put("MAYFLY_DATA", "/opt/x/data/current");
    String env =
        Commands.envFile(t, Map.of("email", "a'b@c", "title", "QA"), Map.of("http", 18080), extra);
    assertEquals(
        "# written by mayfly; holds parameter values, keep it mode 0600\n"
            + "MAYFLY_PARAM_EMAIL='a'\\''b@c'\n"
            + "MAYFLY_PARAM_TITLE='QA'\n"
            + "MAYFLY_PORT_HTTP='18080'\n"
            + "MAYFLY_DATA='/opt/x/data/current'\n",
        env);
  }

  @Test
  void envFileFallsBackToTheTemplatesPortNumber() {
    assertEquals(
        "# written by mayfly; holds parameter values, keep it mode 0600\nMAYFLY_PORT_HTTP='8080'\n",
        Commands.envFile(withParams(), Map.of(), Map.of(), Map.of()));
  }

  @Test
  void extraKeyThatIsNotAVariableNameIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Commands.envFile(withParams(), Map.of(), Map.of(), Map.of("X; rm -rf /", "v")));
  }

  @Test
  void hostileValuesSurviveTheShellVerbatimAndExecuteNothing(@TempDir Path dir) throws Exception {
    Path pwned = Path.of("/tmp/pwned-" + UUID.randomUUID());
    List<String> values =
        List.of(
            "'; touch " + pwned + " #",
            "$(touch " + pwned + ")",
            "`touch " + pwned + "`",
            "\"; touch " + pwned + "; echo \"",
            "line one\nline two\n",
            "it's \"quoted\" \\ and $HOME and ${PATH}",
            "* ? [a] ~ & | ; < > ( ) { }",
            "",
            "héllo ✓");
    Template t = withParams(param("x", false, null, null));
    String command = Commands.render("printf %s {{x}}");
    for (String value : values) {
      Files.writeString(
          dir.resolve("mayfly.env"), Commands.envFile(t, Map.of("x", value), Map.of(), Map.of()));

      assertEquals(value, sh(dir, "set -a; . ./mayfly.env; printf %s \"$MAYFLY_PARAM_X\""), value);
      assertEquals(value, sh(dir, "set -a; . ./mayfly.env; " + command), value);
    }
    assertFalse(Files.exists(pwned), "a value was executed");
  }

  private static String sh(Path dir, String script) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("sh", "-c", script)
            .directory(dir.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("sh did not finish");
    }
    assertEquals(0, p.exitValue(), "sh exit code");
    return new String(out, StandardCharsets.UTF_8);
  }
}
