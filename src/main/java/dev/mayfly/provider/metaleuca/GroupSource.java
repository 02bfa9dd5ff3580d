package dev.mayfly.provider.metaleuca;

import dev.mayfly.MayflyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which group a pool machine is in. Two sources, chosen by the target's {@code groups:} setting:
 *
 * <ul>
 *   <li>{@code comment} (default): a {@code group=NAME} word in the Cobbler system's {@code
 *       comment} field, so the lab's inventory stays in Cobbler;
 *   <li>{@code file:PATH}: Metaleuca's flat file, one {@code IP<TAB>GROUP} line per machine ({@code
 *       #} comments and blank lines allowed).
 * </ul>
 */
interface GroupSource {
  Pattern TAG = Pattern.compile("(?:^|\\s)group=([A-Za-z0-9._-]+)");

  Optional<String> groupOf(String address, String comment);

  static GroupSource parse(String where, String setting, Map<String, String> env) {
    String s = setting.strip();
    if (s.equals("comment")) {
      return (address, comment) -> {
        Matcher m = TAG.matcher(comment == null ? "" : comment);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
      };
    }
    if (s.startsWith("file:")) {
      Path path =
          Path.of(s.substring(5).strip().replaceFirst("^~(?=/)", env.getOrDefault("HOME", "~")));
      Map<String, String> byAddress = readFile(where, path);
      return (address, comment) -> Optional.ofNullable(byAddress.get(address));
    }
    throw MayflyException.badInput(
        where + ": groups '" + setting + "' must be 'comment' or 'file:PATH'");
  }

  private static Map<String, String> readFile(String where, Path path) {
    List<String> lines;
    try {
      lines = Files.readAllLines(path);
    } catch (IOException e) {
      throw MayflyException.badInput(
          where + ": groups file " + path + " cannot be read: " + e.getClass().getSimpleName());
    }
    Map<String, String> byAddress = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\t");
      if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
        throw MayflyException.badInput(
            path + ":" + (i + 1) + ": expected IP<TAB>GROUP, got '" + line + "'");
      }
      byAddress.put(parts[0].strip(), parts[1].strip());
    }
    return byAddress;
  }
}
