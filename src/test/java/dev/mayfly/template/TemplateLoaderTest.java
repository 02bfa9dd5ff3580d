package dev.mayfly.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.MayflyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateLoaderTest {
  private static final String BROKEN = "src/test/resources/templates-broken/";

  /** Loads {@code templates-broken/<name>.yaml} and returns the message after the file name. */
  private static String rejection(String name) {
    Path file = Path.of(BROKEN + name + ".yaml");
    TemplateException e = assertThrows(TemplateException.class, () -> TemplateLoader.load(file));
    assertEquals(MayflyException.Exit.BAD_INPUT, e.exit());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    String prefix = file + ":";
    assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
    return e.getMessage().substring(prefix.length());
  }

  @Test
  void unknownKeyIsNamedWithTheKeysThatAreAllowed() {
    assertEquals(
        "4:3: unknown key 'instal' in service (expected: repo, ref, install, start, serve, keep)",
        rejection("unknown-key"));
  }

  @Test
  void missingTopLevelFieldPointsAtTheDocument() {
    assertEquals("1:1: missing required field 'service'", rejection("missing-field"));
  }

  @Test
  void missingNestedFieldPointsAtItsSection() {
    assertEquals("5:1: missing required field 'service.install'", rejection("missing-install"));
  }

  @Test
  void badCronSaysWhy() {
    assertEquals(
        "11:13: sync.schedule: '61 * * * *' is not a valid Unix 5-field cron (minute 61 is out of 0-59)",
        rejection("bad-cron"));
  }

  @Test
  void aSyncTimezoneThatIsNoneIsRejectedAtItsLine() {
    assertEquals(
        "12:13: sync.timezone: 'Europe/Atlantis' is not a time zone (like 'Europe/Berlin' or 'UTC')",
        rejection("bad-timezone"));
  }

  @Test
  void aCronThatNeverFiresIsRejected() {
    assertEquals("11:13: sync.schedule: '0 0 31 2 *' never fires", rejection("never-firing-cron"));
  }

  @Test
  void recycleEveryIsADurationOrNever(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    assertEquals(
        "11:10: recycle.every: 'monthly' is not a duration (use e.g. 30d, 72h, 90m, 45s), or never",
        rejection("bad-recycle"));
    String yaml = java.nio.file.Files.readString(Path.of(BROKEN + "bad-recycle.yaml"));
    Path monthly = dir.resolve("bad-recycle.yaml");
    java.nio.file.Files.writeString(monthly, yaml.replace("monthly", "30d"));
    assertEquals(
        java.util.Optional.of(java.time.Duration.ofDays(30)),
        TemplateLoader.load(monthly).recycleEvery());
    java.nio.file.Files.writeString(monthly, yaml.replace("monthly", "never"));
    assertEquals(java.util.Optional.empty(), TemplateLoader.load(monthly).recycleEvery());
  }

  @Test
  void badDurationShowsTheAcceptedForms() {
    assertEquals(
        "10:11: lifetime: '7x' is not a duration (use e.g. 30d, 72h, 90m, 45s)",
        rejection("bad-duration"));
  }

  @Test
  void yamlSyntaxErrorCarriesTheParsersPosition() {
    assertEquals(
        "4:6: YAML syntax error: expected ',' or ']', but got : (while parsing a flow sequence at line 3)",
        rejection("syntax-error"));
  }

  @Test
  void emptyFileIsRejected() {
    assertEquals(
        "1:1: empty template (expected fields name, description, service, data, params, ports, health, lifetime,"
            + " sync, root, git, bind, recycle, url, env, files, stable-address)",
        rejection("empty"));
  }

  @Test
  void listWhereAMappingBelongsIsAWrongType() {
    assertEquals("9:3: ports: expected a mapping, found a list", rejection("wrong-type"));
    assertEquals(
        "1:1: expected a mapping of template fields (name, description, service, data, params, ports, health,"
            + " lifetime, sync, root, git, bind, recycle, url, env, files, stable-address), found a list",
        rejection("list-not-mapping"));
  }

  @Test
  void portOutOfRangeIsRejected() {
    assertEquals("9:9: ports.http: 70000 is not a port number (1..65535)", rejection("bad-port"));
  }

  @Test
  void unknownPlaceholderPointsAtThePlaceholderItself() {
    assertEquals(
        "8:33: service.install: unknown placeholder '{{titel}}' (known: {{title}}, {{ports.http}})",
        rejection("unknown-placeholder"));
  }

  @Test
  void placeholderPositionIsExactInsideAMultiLineBlock() {
    assertEquals(
        "8:14: service.start: unknown placeholder '{{ports.web}}' (known: {{ports.http}})",
        rejection("placeholder-in-block"));
  }

  @Test
  void placeholderInsideSingleQuotesIsRejectedBecauseTheShellWouldNotExpandIt() {
    assertEquals(
        "8:35: service.install: placeholder '{{title}}' is inside single quotes, where the shell would not expand"
            + " it (drop the quotes: values arrive quoted)",
        rejection("single-quoted-placeholder"));
  }

  @Test
  void nameMustMatchTheFileName() {
    assertEquals(
        "1:7: name: 'something-else' does not match the file name 'name-mismatch.yaml' (rename one of them)",
        rejection("name-mismatch"));
  }

  @Test
  void defaultMustMatchItsPattern() {
    assertEquals(
        "5:14: params.count.default: does not match pattern '[0-9]+'",
        rejection("default-pattern"));
  }

  @Test
  void patternMustCompile() {
    assertEquals(
        "5:14: params.count.pattern: '[0-9+' is not a valid regex (Unclosed character class)",
        rejection("bad-regex"));
  }

  @Test
  void requiredParamCannotHaveADefault() {
    assertEquals(
        "6:14: params.email.default: a required param cannot have a default (drop one of them)",
        rejection("required-with-default"));
  }

  @Test
  void missingLocalRepoPathIsNamedWithWhereItWasLookedFor() {
    Path resolved =
        Path.of("src/test/resources/no-such-folder/service").toAbsolutePath().normalize();
    assertEquals(
        "4:9: service.repo: local path '../no-such-folder/service' does not exist (resolved to "
            + resolved
            + ")",
        rejection("missing-repo"));
  }

  @Test
  void aRepoGitCannotFetchOrAFolderGitWouldReadAsAHostIsRefusedAtItsLine(@TempDir Path dir)
      throws IOException {
    Files.createDirectories(dir.resolve("templates/data:v1"));
    Path file = dir.resolve("templates/t.yaml");
    String template =
        "name: t\ndescription: t\nservice:\n  repo: %s\n  install: ./install.sh\ndata:\n  repo: %s\nports:\n  http: 8080\n";

    assertEquals(
        file
            + ":4:9: service.repo: 'ftp://' is not a scheme git fetches here (https, http, ssh,"
            + " git, file)",
        refusal(file, template.formatted("ftp://example.org/qa.git", "git@example.org:d")));

    assertEquals(
        file
            + ":7:9: data.repo: 'data:v1' is a folder next to the template, but git reads it as"
            + " the scp-like URL host 'data'; write ./data:v1 for the folder",
        refusal(file, template.formatted("example.org:team/qa.git", "data:v1")));

    Files.writeString(file, template.formatted("example.org:team/qa.git", "./data:v1"));
    Template t = TemplateLoader.load(file);
    assertEquals(
        new Template.Repo("example.org:team/qa.git", Optional.empty()), t.service().repo());
    assertEquals(Optional.of(dir.resolve("templates/data:v1")), t.data().repo().localPath());
  }

  private static String refusal(Path file, String yaml) throws IOException {
    Files.writeString(file, yaml);
    return assertThrows(TemplateException.class, () -> TemplateLoader.load(file)).getMessage();
  }

  @Test
  void duplicateKeyNamesTheFirstOne() {
    assertEquals(
        "7:3: duplicate key 'ref' in service (first at line 5)", rejection("duplicate-key"));
  }

  @Test
  void healthPortMustBeADeclaredPort() {
    assertEquals(
        "11:9: health.port: 'admin' is not one of the ports (http)", rejection("bad-health-port"));
  }

  @Test
  void rootThatTerminationWouldWipeIsRejected() {
    assertEquals(
        "10:7: root: '/' must be an absolute path (or start with ~/) naming a folder, like /opt/open-qa",
        rejection("bad-root"));
  }

  @Test
  void rootThatIsATopLevelSystemFolderIsRejected() {
    assertEquals(
        "10:7: root: '/etc' is a top-level folder, which terminate would remove; use a folder of its own below"
            + " /opt, /srv, ~, like /opt/open-qa",
        rejection("bad-root-etc"));
  }

  @Test
  void rootWithDotDotOrAnEmptySegmentIsRejected() {
    assertEquals(
        "10:7: root: '/opt/../etc' has a '..' segment; write the folder plainly, like /opt/open-qa",
        rejection("bad-root-dotdot"));
    assertEquals(
        "10:7: root: '/opt//app' has an empty segment (//); write the folder plainly, like /opt/open-qa",
        rejection("bad-root-slashes"));
  }

  @Test
  void missingFileIsAOneLineError() {
    TemplateException e =
        assertThrows(
            TemplateException.class, () -> TemplateLoader.load(Path.of(BROKEN + "nope.yaml")));
    assertEquals(BROKEN + "nope.yaml: no such file", e.getMessage());
  }

  @Test
  void minimalTemplateGetsAllDefaultsAndResolvesLocalRepos(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("apps/demo/service"));
    Files.createDirectories(dir.resolve("apps/demo/data"));
    Path file = dir.resolve("templates/demo.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        String.join(
            "\n",
            "name: demo",
            "description: A demo",
            "service:",
            "  repo: ../apps/demo/service",
            "  install: ./install.sh --title {{title}} --port {{ ports.http }}",
            "data:",
            "  repo: ../apps/demo/data",
            "params:",
            "  title:",
            "    default: 5",
            "  email:",
            "ports:",
            "  http: 8080",
            "  admin: 9090",
            ""));

    Template t = TemplateLoader.load(file);

    assertEquals("demo", t.name());
    assertEquals("A demo", t.description());
    assertEquals(file, t.file());
    assertEquals(
        new Template.Repo(
            "../apps/demo/service", Optional.of(dir.resolve("apps/demo/service").toAbsolutePath())),
        t.service().repo());
    assertTrue(t.service().repo().isLocal());
    assertEquals("HEAD", t.service().ref());
    assertEquals(Optional.empty(), t.service().start());
    assertEquals("HEAD", t.data().ref());
    assertEquals(Optional.empty(), t.data().publish());
    assertEquals(3, t.data().keep());
    assertEquals(List.of("title", "email"), List.copyOf(t.params().keySet()));
    Template.Param title = t.params().get("title");
    assertEquals(Optional.of("5"), title.defaultValue());
    assertFalse(title.required());
    assertFalse(title.secret());
    assertEquals(Optional.empty(), title.pattern());
    assertEquals("", title.description());
    assertEquals(Map.of("http", 8080, "admin", 9090), t.ports());
    assertEquals(List.of("http", "admin"), List.copyOf(t.ports().keySet()));
    assertEquals(
        new Template.Health("/", "http", 200, Duration.ofMinutes(2), Optional.empty()), t.health());
    assertEquals(Duration.ofDays(7), t.lifetime());
    assertEquals(Optional.empty(), t.sync());
    assertEquals(Optional.empty(), t.root());
  }

  @Test
  void openQaTemplateValidatesWithTheRealRepos() {
    Template t = TemplateLoader.load(Path.of("templates/open-qa.yaml"));

    assertEquals("open-qa", t.name());
    assertEquals(
        new Template.Repo("https://github.com/eucalyptus/open-qa.git", Optional.empty()),
        t.service().repo());
    assertEquals("master", t.service().ref());
    assertTrue(t.service().install().startsWith("set -eu\n"), "the installer fails loudly");
    assertFalse(t.service().install().contains("open_qa-installer.py"), "not the exit-0 installer");
    assertTrue(
        t.service().install().contains("ln -s \"$MAYFLY_DATA/cache_storage_for_open_qa\" webcache"),
        "the cache tarball unpacks one level down");
    assertTrue(t.service().start().orElseThrow().contains("-t \"$MAYFLY_SERVE\""));
    assertEquals(
        new Template.Repo(
            "https://github.com/eucalyptus/open-qa-frontend-data.git", Optional.empty()),
        t.data().repo());
    assertEquals("master", t.data().ref());
    assertEquals(
        Optional.of(
            "tar -xzf cache_storage_for_open_qa.tar.gz && rm -f cache_storage_for_open_qa.tar.gz"
                + " && test -d cache_storage_for_open_qa"),
        t.data().publish());
    Template.Param email = t.params().get("email");
    assertTrue(email.required());
    assertFalse(email.description().isBlank());
    assertTrue(email.pattern().orElseThrow().matcher("qa@eucalyptus.com").matches());
    assertFalse(email.pattern().orElseThrow().matcher("not an email").matches());
    assertEquals(Map.of("http", 8080), t.ports());
    assertEquals("/open_qa.php", t.urlPath());
    assertEquals(
        new Template.Health(
            "/open_qa.php",
            "http",
            200,
            Duration.ofMinutes(2),
            Optional.of("Loading More Results")),
        t.health());
    assertEquals(Map.of("SERVER_ADMIN", "{{email}}", "TZ", "America/Los_Angeles"), t.env());
    assertEquals(Duration.ofDays(30), t.lifetime());
    assertEquals(Optional.of(new Template.Sync("1 0 * * *")), t.sync());
    assertEquals(Optional.of("/opt/open-qa"), t.root());
  }

  @Test
  void templateOverOneMegabyteIsRefusedBeforeParsing(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("huge.yaml");
    Files.writeString(file, "#" + "x".repeat(8 << 20) + "\nname: huge\n");
    long start = System.nanoTime();
    TemplateException e = assertThrows(TemplateException.class, () -> TemplateLoader.load(file));
    assertEquals(
        file
            + ": larger than 1 MiB (8388621 bytes); a template names repos and commands, it does not"
            + " hold data",
        e.getMessage());
    assertTrue(
        Duration.ofNanos(System.nanoTime() - start).toSeconds() < 5, "refused without reading it");
  }

  @Test
  void aLongCommentLineJustUnderTheLimitIsRead(@TempDir Path dir) throws IOException {
    // how long it takes is measured by `bin/mayfly-bench template-1mib`, not by a unit test
    Path file = dir.resolve("long.yaml");
    Files.writeString(file, "#" + "x".repeat((1 << 20) - 100) + "\nname: long\n");
    TemplateException e = assertThrows(TemplateException.class, () -> TemplateLoader.load(file));
    assertTrue(e.getMessage().endsWith("missing required field 'description'"), e.getMessage());
  }

  @Test
  void lifetimeBeyondTenYearsIsRefusedWhereItIsWritten(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("forever.yaml");
    Files.writeString(file, minimal("forever") + "lifetime: 999999999d\n");
    TemplateException e = assertThrows(TemplateException.class, () -> TemplateLoader.load(file));
    assertTrue(
        e.getMessage()
            .endsWith(
                ":11: lifetime: at most 3650d (10 years); a deployment that never expires"
                    + " is asked for at launch with --expires never"),
        e.getMessage());
  }

  @Test
  void bindIsAnAddressLiteral(@TempDir Path dir) throws IOException {
    Path good = dir.resolve("open.yaml");
    Files.writeString(good, minimal("open") + "bind: 0.0.0.0\n");
    assertEquals(Optional.of("0.0.0.0"), TemplateLoader.load(good).bind());
    Path bad = dir.resolve("named.yaml");
    Files.writeString(bad, minimal("named") + "bind: example.org\n");
    TemplateException e = assertThrows(TemplateException.class, () -> TemplateLoader.load(bad));
    assertTrue(
        e.getMessage()
            .endsWith(
                "bind: 'example.org' must be an IP address such as 127.0.0.1, 0.0.0.0"
                    + " (every interface) or ::1"),
        e.getMessage());
  }

  @Test
  void releaseKeysAreReadAndDefaulted(@TempDir Path dir) throws IOException {
    Path plain = dir.resolve("plain.yaml");
    Files.writeString(plain, minimal("plain"));
    Template p = TemplateLoader.load(plain);
    assertEquals("/", p.urlPath());
    assertEquals(Optional.empty(), p.service().serve());
    assertEquals(3, p.service().keep());
    assertEquals(Map.of(), p.env());
    assertEquals(Map.of(), p.files());

    Path full = dir.resolve("full.yaml");
    Files.writeString(
        full,
        minimal("full").replace("  install: ./i\n", "  install: ./i\n  serve: public\n  keep: 4\n")
            + "params:\n  title:\n    default: t\n"
            + "url:\n  path: /app/index.php\n"
            + "health:\n  expect: Welcome\n"
            + "env:\n  GREETING: \"it's {{title}} on {{ports.http}}\"\n"
            + "files:\n  config/site.ini: |\n    title = {{title}}\n");
    Template t = TemplateLoader.load(full);
    assertEquals("/app/index.php", t.urlPath());
    assertEquals(Optional.of("public"), t.service().serve());
    assertEquals(4, t.service().keep());
    assertEquals(Optional.of("Welcome"), t.health().expect());
    assertEquals(Map.of("GREETING", "it's {{title}} on {{ports.http}}"), t.env());
    assertEquals(Map.of("config/site.ini", "title = {{title}}\n"), t.files());
    assertEquals(
        "it's a 'b' on 8080",
        Commands.fill(t.env().get("GREETING"), Map.of("title", "a 'b'"), t.ports()));
  }

  @Test
  void releaseKeysRefuseWhatWouldEscapeOrClash(@TempDir Path dir) throws IOException {
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put("env:\n  MAYFLY_DATA: x\n", "env: 'MAYFLY_DATA' is not a variable name of its own");
    cases.put("env:\n  A: \"{{nope}}\"\n", "env.A: unknown placeholder '{{nope}}'");
    cases.put("files:\n  ../x: y\n", "files: '../x' must be a relative path inside the service");
    cases.put("files:\n  .git/config: y\n", "files: '.git/config' must be a relative path");
    cases.put("url:\n  path: x\n", "url.path: 'x' must start with /");
    cases.put("health:\n  expect: ''\n", "health.expect: must not be empty");
    int n = 0;
    for (Map.Entry<String, String> c : cases.entrySet()) {
      Path file = dir.resolve("bad" + n + ".yaml");
      Files.writeString(file, minimal("bad" + n++) + c.getKey());
      TemplateException e = assertThrows(TemplateException.class, () -> TemplateLoader.load(file));
      assertTrue(e.getMessage().contains(c.getValue()), c.getKey() + " -> " + e.getMessage());
    }
    Path serve = dir.resolve("serve.yaml");
    Files.writeString(
        serve, minimal("serve").replace("  install: ./i\n", "  install: ./i\n  serve: ../up\n"));
    TemplateException e = assertThrows(TemplateException.class, () -> TemplateLoader.load(serve));
    assertTrue(e.getMessage().contains("service.serve: '../up' must be a folder"), e.getMessage());
  }

  private static String minimal(String name) {
    return "name: "
        + name
        + "\ndescription: d\nservice:\n  repo: https://example.org/s.git\n  install: ./i\n"
        + "data:\n  repo: https://example.org/d.git\nports:\n  http: 8080\n";
  }
}
