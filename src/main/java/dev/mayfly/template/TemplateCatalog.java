package dev.mayfly.template;

import dev.mayfly.MayflyException;
import dev.mayfly.Xdg;
import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Where templates are found: an ordered list of folders, the first one holding {@code <name>.yaml}
 * wins.
 */
public final class TemplateCatalog {
  private final List<Path> folders;

  /**
   * @param description the template's description, empty when it does not load
   * @param error why it does not load (the loader's one-line message)
   */
  public record Entry(
      String name, Path file, Optional<String> description, Optional<String> error) {
    public boolean ok() {
      return error.isEmpty();
    }
  }

  public TemplateCatalog(List<Path> folders) {
    this.folders = List.copyOf(folders);
  }

  /**
   * {@code cwd/templates}, then {@code $XDG_CONFIG_HOME/mayfly/templates} (else {@code
   * $HOME/.config/mayfly/templates}), then each folder in {@code $MAYFLY_TEMPLATES}.
   */
  public static TemplateCatalog standard(Path cwd, Map<String, String> env) {
    List<Path> folders = new ArrayList<>();
    folders.add(cwd.resolve("templates"));
    folders.add(Xdg.configDir(env).resolve("templates"));
    for (String entry : env.getOrDefault("MAYFLY_TEMPLATES", "").split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        folders.add(Path.of(entry));
      }
    }
    return new TemplateCatalog(folders);
  }

  public List<Path> folders() {
    return folders;
  }

  /**
   * The file of template {@code name}; BAD_INPUT naming the folders and the templates found
   * otherwise.
   */
  public Path find(String name) {
    // The name check also keeps names like ../x from reaching the file system.
    if (TemplateLoader.TEMPLATE_NAME.matcher(name).matches()) {
      for (Path folder : folders) {
        Path file = folder.resolve(name + ".yaml");
        if (Files.isRegularFile(file)) {
          return file;
        }
      }
    }
    String found = files().keySet().stream().collect(Collectors.joining(", "));
    throw MayflyException.badInput(
        "unknown template '"
            + name
            + "' (looked in: "
            + folders.stream().map(Path::toString).collect(Collectors.joining(", "))
            + "; found: "
            + (found.isEmpty() ? "none" : found)
            + ")");
  }

  /** Finds and loads template {@code name}. */
  public Template load(String name) {
    return TemplateLoader.load(find(name));
  }

  /** Every template by name; a broken one is listed with its error so it can be shown and fixed. */
  public List<Entry> list() {
    List<Entry> entries = new ArrayList<>();
    files()
        .forEach(
            (name, file) -> {
              try {
                entries.add(
                    new Entry(
                        name,
                        file,
                        Optional.of(TemplateLoader.load(file).description()),
                        Optional.empty()));
              } catch (MayflyException e) {
                entries.add(new Entry(name, file, Optional.empty(), Optional.of(e.getMessage())));
              }
            });
    return entries;
  }

  /** {@code <name>.yaml} files by name, sorted; an earlier folder shadows a later one. */
  private TreeMap<String, Path> files() {
    TreeMap<String, Path> files = new TreeMap<>();
    for (Path folder : folders) {
      if (!Files.isDirectory(folder)) {
        continue;
      }
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder, "*.yaml")) {
        for (Path file : stream) {
          String name = file.getFileName().toString();
          files.putIfAbsent(name.substring(0, name.length() - ".yaml".length()), file);
        }
      } catch (IOException e) {
        // An unreadable folder holds no templates we can offer; find() names it in "looked in".
      }
    }
    return files;
  }
}
