package dev.mayfly.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The optional {@code git: pull|push|auto} key: how hosts get the repos. */
class TemplateGitModeTest {
  @TempDir Path dir;

  private Path template(String extra) throws Exception {
    Files.createDirectories(dir.resolve("svc"));
    Files.createDirectories(dir.resolve("data"));
    return Files.writeString(
        dir.resolve("t.yaml"),
        String.join(
            "\n",
            "name: t",
            "description: git mode",
            "service:",
            "  repo: svc",
            "  install: true",
            "data:",
            "  repo: data",
            "ports:",
            "  http: 8080",
            extra,
            ""));
  }

  @Test
  void gitModeDefaultsToAuto() throws Exception {
    assertEquals(Template.GitMode.AUTO, TemplateLoader.load(template("")).git());
  }

  @Test
  void gitModeIsReadFromTheTemplate() throws Exception {
    assertEquals(Template.GitMode.PUSH, TemplateLoader.load(template("git: push")).git());
    assertEquals(Template.GitMode.PULL, TemplateLoader.load(template("git: pull")).git());
  }

  @Test
  void unknownGitModeIsRejectedAtItsLine() throws Exception {
    Path file = template("git: rsync");
    TemplateException e = assertThrows(TemplateException.class, () -> TemplateLoader.load(file));
    assertTrue(
        e.getMessage().endsWith(":10:6: git: 'rsync' must be pull, push or auto"), e.getMessage());
  }
}
