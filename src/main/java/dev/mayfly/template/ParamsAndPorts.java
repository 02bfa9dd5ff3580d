package dev.mayfly.template;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** A template's {@code params} and {@code ports}: the names its commands' placeholders can use. */
final class ParamsAndPorts {
  private static final List<String> PARAM =
      List.of("description", "default", "required", "secret", "pattern");

  private ParamsAndPorts() {}

  static Map<String, Integer> ports(YamlMapping top, YamlMapping section) {
    Map<String, Integer> ports = new LinkedHashMap<>();
    Map<Integer, String> byNumber = new LinkedHashMap<>();
    for (String name : section.keys()) {
      checkName(section, "ports", name, "port");
      String path = "ports." + name;
      int port =
          section
              .number(name)
              .orElseThrow(() -> section.keyError(name, path + ": no port number given"));
      if (port < 1 || port > 65535) {
        throw section.valueError(name, path + ": " + port + " is not a port number (1..65535)");
      }
      String other = byNumber.putIfAbsent(port, name);
      if (other != null) {
        throw section.valueError(name, path + ": " + port + " is already used by ports." + other);
      }
      ports.put(name, port);
    }
    if (ports.isEmpty()) {
      throw top.keyError("ports", "ports: at least one port is required (e.g. http: 8080)");
    }
    return ports;
  }

  static Map<String, Template.Param> params(Optional<YamlMapping> section) {
    Map<String, Template.Param> params = new LinkedHashMap<>();
    if (section.isEmpty()) {
      return params;
    }
    for (String name : section.get().keys()) {
      checkName(section.get(), "params", name, "parameter");
      YamlMapping p =
          section.get().mapping(name, PARAM, false).orElseGet(() -> section.get().empty(name));
      boolean required = p.bool("required").orElse(false);
      boolean secret = p.bool("secret").orElse(false);
      Optional<String> defaultValue = p.text("default", false);
      if (required && defaultValue.isPresent()) {
        throw p.valueError(
            "default",
            p.path("default") + ": a required param cannot have a default (drop one of them)");
      }
      Optional<Pattern> pattern = Optional.empty();
      Optional<String> regex = p.text("pattern", false);
      if (regex.isPresent()) {
        try {
          pattern = Optional.of(Pattern.compile(regex.get()));
        } catch (PatternSyntaxException e) {
          throw p.valueError(
              "pattern",
              p.path("pattern")
                  + ": '"
                  + regex.get()
                  + "' is not a valid regex ("
                  + e.getDescription()
                  + ")");
        }
        if (defaultValue.isPresent() && !pattern.get().matcher(defaultValue.get()).matches()) {
          throw p.valueError(
              "default", p.path("default") + ": does not match pattern '" + regex.get() + "'");
        }
      }
      String description = p.text("description", false).orElse("");
      params.put(
          name, new Template.Param(name, required, defaultValue, secret, pattern, description));
    }
    return params;
  }

  private static void checkName(YamlMapping section, String path, String name, String what) {
    if (!Placeholders.NAME.matcher(name).matches()) {
      throw section.keyError(
          name, path + ": '" + name + "' is not a valid " + what + " name (use [a-z][a-z0-9_]*)");
    }
  }
}
