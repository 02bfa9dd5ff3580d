package dev.mayfly.template;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Templates built in code, for tests that do not care about YAML. */
final class TestTemplates {
  private TestTemplates() {}

  static Template withParams(Template.Param... params) {
    Map<String, Template.Param> byName = new LinkedHashMap<>();
    for (Template.Param p : params) {
      byName.put(p.name(), p);
    }
    Template.Repo repo = new Template.Repo("https://example.org/x.git", Optional.empty());
    return new Template(
        "demo",
        "A demo",
        Path.of("templates/demo.yaml"),
        new Template.Service(repo, "HEAD", "./install.sh", Optional.empty(), Optional.empty(), 3),
        new Template.Data(repo, "HEAD", Optional.empty(), 3),
        byName,
        Map.of("http", 8080),
        new Template.Health("/", "http", 200, Duration.ofMinutes(2), Optional.empty()),
        Duration.ofDays(7),
        Optional.empty(),
        Optional.empty(),
        Template.GitMode.AUTO,
        Optional.empty(),
        Optional.empty(),
        "/",
        Map.of(),
        Map.of(),
        false);
  }

  static Template.Param param(String name, boolean required, String defaultValue, String pattern) {
    return new Template.Param(
        name,
        required,
        Optional.ofNullable(defaultValue),
        false,
        Optional.ofNullable(pattern).map(Pattern::compile),
        "");
  }
}
