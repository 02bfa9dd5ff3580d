package dev.mayfly.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mayfly.MayflyException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateCatalogTest {
  @TempDir Path home;

  private static Path write(Path folder, String name, String description) throws IOException {
    Files.createDirectories(folder);
    return Files.writeString(
        folder.resolve(name + ".yaml"),
        String.join(
            "\n",
            "name: " + name,
            "description: " + description,
            "service:",
            "  repo: https://example.org/service.git",
            "  install: ./install.sh",
            "data:",
            "  repo: https://example.org/data.git",
            "ports:",
            "  http: 8080",
            ""));
  }

  @Test
  void standardFoldersAreWorkingDirThenXdgThenMayflyTemplates() {
    Path cwd = home.resolve("project");
    TemplateCatalog catalog =
        TemplateCatalog.standard(
            cwd,
            Map.of(
                "HOME", home.toString(),
                "XDG_CONFIG_HOME", home.resolve("xdg").toString(),
                "MAYFLY_TEMPLATES", "/a" + File.pathSeparator + File.pathSeparator + "/b"));
    assertEquals(
        List.of(
            cwd.resolve("templates"),
            home.resolve("xdg/mayfly/templates"),
            Path.of("/a"),
            Path.of("/b")),
        catalog.folders());
  }

  @Test
  void withoutXdgTheConfigFolderIsUnderHome() {
    TemplateCatalog catalog = TemplateCatalog.standard(home, Map.of("HOME", home.toString()));
    assertEquals(
        List.of(home.resolve("templates"), home.resolve(".config/mayfly/templates")),
        catalog.folders());
  }

  @Test
  void firstFolderHoldingTheNameWins() throws IOException {
    Path first = home.resolve("one");
    Path second = home.resolve("two");
    write(second, "demo", "from two");
    Path mine = write(first, "demo", "from one");
    write(second, "other", "only in two");
    TemplateCatalog catalog = new TemplateCatalog(List.of(first, second));

    assertEquals(mine, catalog.find("demo"));
    assertEquals("from one", catalog.load("demo").description());
    assertEquals(second.resolve("other.yaml"), catalog.find("other"));
    List<TemplateCatalog.Entry> entries = catalog.list();
    assertEquals(
        List.of("demo", "other"), entries.stream().map(TemplateCatalog.Entry::name).toList());
    assertEquals(Optional.of("from one"), entries.get(0).description());
  }

  @Test
  void unknownNameSaysWhereItLookedAndWhatItFound() throws IOException {
    Path first = home.resolve("one");
    write(first, "open-qa", "x");
    write(first, "demo", "y");
    Path missing = home.resolve("missing");
    TemplateCatalog catalog = new TemplateCatalog(List.of(first, missing));

    MayflyException e = assertThrows(MayflyException.class, () -> catalog.find("nope"));
    assertEquals(
        "unknown template 'nope' (looked in: " + first + ", " + missing + "; found: demo, open-qa)",
        e.getMessage());
    assertEquals(MayflyException.Exit.BAD_INPUT, e.exit());
  }

  @Test
  void pathLikeNamesAreUnknownRatherThanResolved() throws IOException {
    write(home.resolve("one"), "demo", "y");
    TemplateCatalog catalog = new TemplateCatalog(List.of(home.resolve("one/sub")));
    MayflyException e = assertThrows(MayflyException.class, () -> catalog.find("../demo"));
    assertEquals(
        "unknown template '../demo' (looked in: " + home.resolve("one/sub") + "; found: none)",
        e.getMessage());
  }

  @Test
  void brokenTemplateIsListedWithItsError() throws IOException {
    Path folder = home.resolve("t");
    write(folder, "good", "works");
    Path broken = Files.writeString(folder.resolve("broken.yaml"), "name: broken\n");
    List<TemplateCatalog.Entry> entries = new TemplateCatalog(List.of(folder)).list();

    assertEquals(
        List.of(
            new TemplateCatalog.Entry(
                "broken",
                broken,
                Optional.empty(),
                Optional.of(broken + ":1:1: missing required field 'description'")),
            new TemplateCatalog.Entry(
                "good", folder.resolve("good.yaml"), Optional.of("works"), Optional.empty())),
        entries);
  }
}
