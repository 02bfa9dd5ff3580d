package dev.mayfly.template;

import dev.mayfly.MayflyException;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Launch parameters: {@code --param k=v} parsing and checking against a template. Errors never echo
 * values.
 */
public final class Params {
  /** A parameter file's size limit: many values of at most {@link #MAX_VALUE_BYTES} each. */
  private static final long MAX_FILE_BYTES = 1 << 20;

  private static final Pattern ASSIGNMENT = Pattern.compile("\\s*[A-Za-z_][A-Za-z0-9_.-]*\\s*=.*");

  /** How large one parameter value may be, in UTF-8 bytes. */
  public static final int MAX_VALUE_BYTES = 64 * 1024;

  private Params() {}

  /**
   * Every template param in template order: the given value, else its default, else empty (optional
   * params only).
   */
  public static LinkedHashMap<String, String> resolve(
      Template template, Map<String, String> given) {
    for (String name : given.keySet()) {
      if (!template.params().containsKey(name)) {
        String has =
            template.params().isEmpty() ? "none" : String.join(", ", template.params().keySet());
        throw MayflyException.badInput(
            "param '"
                + name
                + "': not a parameter of template '"
                + template.name()
                + "' (it has: "
                + has
                + ")");
      }
    }
    LinkedHashMap<String, String> resolved = new LinkedHashMap<>();
    for (Template.Param p : template.params().values()) {
      String value = given.get(p.name());
      if (value == null || (value.isEmpty() && p.required())) {
        if (p.required()) {
          throw MayflyException.badInput(
              "param '" + p.name() + "': required (pass --param " + p.name() + "=VALUE)");
        }
        resolved.put(p.name(), p.defaultValue().orElse(""));
        continue;
      }
      if (p.pattern().isPresent() && !p.pattern().get().matcher(value).matches()) {
        throw MayflyException.badInput(
            "param '"
                + p.name()
                + "': value does not match pattern '"
                + p.pattern().get().pattern()
                + "'");
      }
      resolved.put(p.name(), value);
    }
    return resolved;
  }

  /** {@code NAME=VALUE} strings, split at the first '='; the value is kept verbatim. */
  public static LinkedHashMap<String, String> parseAssignments(List<String> assignments) {
    LinkedHashMap<String, String> out = new LinkedHashMap<>();
    for (String kv : assignments) {
      int eq = kv.indexOf('=');
      if (eq < 0) {
        throw MayflyException.badInput("--param '" + kv + "': expected NAME=VALUE");
      }
      if (eq == 0) {
        // Not echoed: what follows '=' is a value, maybe a secret.
        throw MayflyException.badInput("--param: expected NAME=VALUE, the name is missing");
      }
      String name = kv.substring(0, eq);
      if (out.put(name, kv.substring(eq + 1)) != null) {
        throw MayflyException.badInput("--param '" + name + "': given more than once");
      }
    }
    return out;
  }

  /**
   * A {@code --param-file}: {@code NAME=VALUE} lines (blank lines and {@code #} comments skipped,
   * the value verbatim up to the line end) or a YAML map of names to scalars. Errors name a line,
   * never a value.
   */
  public static LinkedHashMap<String, String> readFile(Path file) {
    String text;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw MayflyException.badInput("--param-file " + file + ": larger than 1 MiB");
      }
      text = Files.readString(file);
    } catch (MalformedInputException e) {
      throw MayflyException.badInput("--param-file " + file + ": not UTF-8 text");
    } catch (IOException e) {
      throw MayflyException.badInput(
          "--param-file " + file + ": cannot read (" + e.getMessage() + ")");
    }
    List<String> lines =
        text.lines().filter(l -> !l.isBlank() && !l.stripLeading().startsWith("#")).toList();
    if (!lines.isEmpty() && ASSIGNMENT.matcher(lines.get(0)).matches()) {
      return assignments(file, text);
    }
    return yamlMap(file, text);
  }

  private static LinkedHashMap<String, String> assignments(Path file, String text) {
    LinkedHashMap<String, String> out = new LinkedHashMap<>();
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || line.stripLeading().startsWith("#")) {
        continue;
      }
      String where = "--param-file " + file + ":" + (i + 1);
      if (!ASSIGNMENT.matcher(line).matches()) {
        throw MayflyException.badInput(where + ": expected NAME=VALUE");
      }
      int eq = line.indexOf('=');
      String name = line.substring(0, eq).strip();
      if (out.put(name, line.substring(eq + 1)) != null) {
        throw MayflyException.badInput(where + ": '" + name + "' given more than once");
      }
    }
    return out;
  }

  private static LinkedHashMap<String, String> yamlMap(Path file, String text) {
    // a YAML error may quote the line it is on: keep only its position, never a value
    Pattern position = Pattern.compile(Pattern.quote(file.toString()) + ":[0-9]+(:[0-9]+)?");
    Function<String, MayflyException> error =
        message -> {
          Matcher m = position.matcher(message);
          return MayflyException.badInput(
              "--param-file "
                  + (m.lookingAt() ? m.group() : file)
                  + ": expected NAME=VALUE lines or a YAML map of NAME: VALUE");
        };
    LinkedHashMap<String, String> out = new LinkedHashMap<>();
    YamlMapping map =
        YamlMapping.read(file, text, 0, error, found -> "not a map")
            .orElseThrow(() -> error.apply(file.toString()));
    map.rejectRepeatedKeys("given more than once");
    for (String name : map.keys()) {
      out.put(
          name,
          map.single(name)
              .orElseThrow(
                  () ->
                      map.valueError(
                          name, "--param-file " + map.path(name) + ": expected one text value")));
    }
    return out;
  }
}
