package dev.mayfly.template;

import dev.mayfly.MayflyException;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads and validates {@code templates/<name>.yaml} into a {@link Template}; every error names the
 * {@code file:line:column} of what is wrong.
 */
public final class TemplateLoader {
  static final Pattern TEMPLATE_NAME = Pattern.compile("[a-z][a-z0-9-]{0,39}");

  private static final Pattern IP_LITERAL =
      Pattern.compile(
          "((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])|[0-9A-Fa-f:]*:[0-9A-Fa-f:]*");

  private static final List<String> TOP =
      List.of(
          "name",
          "description",
          "service",
          "data",
          "params",
          "ports",
          "health",
          "lifetime",
          "sync",
          "root",
          "git",
          "bind",
          "recycle",
          "url",
          "env",
          "files",
          "stable-address");
  private static final List<String> SERVICE =
      List.of("repo", "ref", "install", "start", "serve", "keep");
  private static final List<String> DATA = List.of("repo", "ref", "publish", "keep");
  private static final List<String> HEALTH =
      List.of("path", "port", "status", "deadline", "expect");
  private static final List<String> URL_KEYS = List.of("path");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern FILE_PATH = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");
  private static final List<String> SYNC = List.of("schedule", "timezone");
  private static final List<String> RECYCLE = List.of("every");

  /**
   * A template names repos and commands; more than this is a mistake or an attack on the parser.
   */
  static final long MAX_BYTES = 1 << 20;

  private final Path file;

  private TemplateLoader(Path file) {
    this.file = file;
  }

  /**
   * Loads and validates one template; errors are one line starting with {@code file:line:column:}.
   */
  public static Template load(Path file) {
    String text;
    try {
      // checked before reading: the YAML parser's time and memory grow with the file
      if (Files.size(file) > MAX_BYTES) {
        throw new TemplateException(
            file
                + ": larger than 1 MiB ("
                + Files.size(file)
                + " bytes); a template"
                + " names repos and commands, it does not hold data");
      }
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new TemplateException(file + ": no such file");
    } catch (MalformedInputException e) {
      throw new TemplateException(file + ": not UTF-8 text");
    } catch (IOException e) {
      throw new TemplateException(file + ": cannot read (" + e.getMessage() + ")");
    }
    return new TemplateLoader(file).parse(text);
  }

  private Template parse(String text) {
    YamlMapping top = read(text);

    String name = top.scalar("name", true).orElseThrow();
    if (!TEMPLATE_NAME.matcher(name).matches()) {
      throw top.valueError(
          "name", "name: '" + name + "' is not a valid template name (use [a-z][a-z0-9-]{0,39})");
    }
    String base = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
    if (!name.equals(base)) {
      throw top.valueError(
          "name",
          "name: '"
              + name
              + "' does not match the file name '"
              + file.getFileName()
              + "' (rename one of them)");
    }
    String description = top.text("description", true).orElseThrow();
    // Keys of every section first, in file order, so a typo is reported before what it causes.
    YamlMapping svc = top.mapping("service", SERVICE, true).orElseThrow();
    YamlMapping dat = top.mapping("data", DATA, true).orElseThrow();
    Optional<YamlMapping> paramSection = top.mapping("params", null, false);
    YamlMapping portSection = top.mapping("ports", null, true).orElseThrow();
    Optional<YamlMapping> healthSection = top.mapping("health", HEALTH, false);
    Optional<YamlMapping> syncSection = top.mapping("sync", SYNC, false);
    Optional<YamlMapping> recycleSection = top.mapping("recycle", RECYCLE, false);
    Optional<YamlMapping> urlSection = top.mapping("url", URL_KEYS, false);
    Optional<YamlMapping> envSection = top.mapping("env", null, false);
    Optional<YamlMapping> fileSection = top.mapping("files", null, false);

    Map<String, Integer> ports = ParamsAndPorts.ports(top, portSection);
    Map<String, Template.Param> params = ParamsAndPorts.params(paramSection);
    Template.Service service =
        new Template.Service(
            repo(svc),
            ref(svc),
            CommandField.read(svc, "install", true, params, ports).orElseThrow(),
            CommandField.read(svc, "start", false, params, ports),
            serve(svc),
            serviceKeep(svc));

    int keep = dat.number("keep").orElse(3);
    if (keep < 1) {
      throw dat.valueError("keep", "data.keep: must be at least 1 (the release being served)");
    }
    Template.Data data =
        new Template.Data(
            repo(dat), ref(dat), CommandField.read(dat, "publish", false, params, ports), keep);

    Template.Health health = health(healthSection.orElseGet(() -> top.empty("health")), ports);
    Duration lifetime = top.duration("lifetime").orElse(Duration.ofDays(7));
    if (lifetime.compareTo(Durations.MAX_LIFETIME) > 0) {
      throw top.valueError(
          "lifetime",
          "lifetime: at most "
              + Durations.MAX_LIFETIME.toDays()
              + "d (10 years); a deployment that never expires is asked for at launch with --expires never");
    }
    Optional<Template.Sync> sync = syncSection.map(this::sync);
    Optional<String> rootDir = root(top);
    Template.GitMode git = gitMode(top);
    Optional<String> bind = bind(top);
    String urlPath = urlSection.map(u -> path(u, "url.path")).orElse("/");
    Map<String, String> env = envSection.map(e -> env(e, params, ports)).orElse(Map.of());
    Map<String, String> files = fileSection.map(f -> files(f, params, ports)).orElse(Map.of());

    return new Template(
        name,
        description,
        file,
        service,
        data,
        Collections.unmodifiableMap(params),
        Collections.unmodifiableMap(ports),
        health,
        lifetime,
        sync,
        rootDir,
        git,
        bind,
        recycleSection.flatMap(TemplateLoader::recycleEvery),
        urlPath,
        env,
        files,
        top.bool("stable-address").orElse(false));
  }

  /** A path a URL may end with: starts with /, no spaces or control characters. */
  private static String path(YamlMapping m, String field) {
    String path = m.text("path", false).orElse("/");
    if (!path.startsWith("/") || !path.matches("[^\\s\\p{Cntrl}]+")) {
      throw m.valueError("path", field + ": '" + path + "' must start with / and hold no spaces");
    }
    return path;
  }

  private static Optional<String> serve(YamlMapping svc) {
    Optional<String> serve = svc.text("serve", false).map(String::strip);
    if (serve.isPresent() && !safeRelative(serve.get())) {
      throw svc.valueError(
          "serve",
          "service.serve: '"
              + serve.get()
              + "' must be a folder inside the service repo (like public or web/root)");
    }
    return serve.filter(s -> !s.equals("."));
  }

  private static int serviceKeep(YamlMapping svc) {
    int keep = svc.number("keep").orElse(3);
    if (keep < 2) {
      throw svc.valueError(
          "keep",
          "service.keep: must be at least 2 (the live release and the one to roll back to)");
    }
    return keep;
  }

  /** A relative path that stays inside its folder and never names git's own data. */
  private static boolean safeRelative(String path) {
    if (path.equals(".")) {
      return true;
    }
    if (!FILE_PATH.matcher(path).matches()) {
      return false;
    }
    for (String part : path.split("/")) {
      if (part.equals("..") || part.equals(".") || part.equals(".git")) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, String> env(
      YamlMapping section, Map<String, Template.Param> params, Map<String, Integer> ports) {
    section.rejectRepeatedKeys("given twice");
    Map<String, String> env = new java.util.LinkedHashMap<>();
    for (String name : section.keys()) {
      if (!ENV_NAME.matcher(name).matches() || name.startsWith("MAYFLY_")) {
        throw section.keyError(
            name,
            "env: '"
                + name
                + "' is not a variable name of its own ([A-Za-z_][A-Za-z0-9_]*, not MAYFLY_*)");
      }
      env.put(name, CommandField.values(section, name, params, ports));
    }
    return java.util.Collections.unmodifiableMap(env);
  }

  private static Map<String, String> files(
      YamlMapping section, Map<String, Template.Param> params, Map<String, Integer> ports) {
    section.rejectRepeatedKeys("given twice");
    Map<String, String> files = new java.util.LinkedHashMap<>();
    for (String path : section.keys()) {
      if (path.equals(".") || !safeRelative(path)) {
        throw section.keyError(
            path,
            "files: '"
                + path
                + "' must be a relative path inside the service release (no .., no .git)");
      }
      files.put(path, CommandField.values(section, path, params, ports));
    }
    return java.util.Collections.unmodifiableMap(files);
  }

  private YamlMapping read(String text) {
    String fields = String.join(", ", TOP);
    return YamlMapping.read(
            file,
            text,
            50,
            TemplateException::new,
            found -> "expected a mapping of template fields (" + fields + "), found " + found)
        .orElseThrow(
            () ->
                new TemplateException(
                    file + ":1:1: empty template (expected fields " + fields + ")"))
        .checkKeys(TOP);
  }

  private Template.Repo repo(YamlMapping s) {
    String text = s.scalar("repo", true).orElseThrow().strip();
    GitUrl.Kind kind;
    try {
      kind = GitUrl.kind(text);
    } catch (IllegalArgumentException e) {
      throw s.valueError("repo", s.path("repo") + ": " + e.getMessage());
    }
    Path resolved;
    try {
      resolved = file.toAbsolutePath().getParent().resolve(text).normalize();
    } catch (InvalidPathException e) {
      resolved = null;
    }
    if (kind == GitUrl.Kind.SCP_LIKE && resolved != null && Files.isDirectory(resolved)) {
      throw s.valueError(
          "repo",
          s.path("repo")
              + ": '"
              + text
              + "' is a folder next to the template, but git reads it as the scp-like URL host '"
              + text.substring(0, text.indexOf(':'))
              + "'; write ./"
              + text
              + " for the folder");
    }
    if (kind != GitUrl.Kind.PATH) {
      return new Template.Repo(text, Optional.empty());
    }
    if (resolved == null) {
      throw s.valueError(
          "repo", s.path("repo") + ": '" + text + "' is neither a git URL nor a path");
    }
    if (!Files.isDirectory(resolved)) {
      String why = Files.exists(resolved) ? "is not a folder" : "does not exist";
      throw s.valueError(
          "repo",
          s.path("repo")
              + ": local path '"
              + text
              + "' "
              + why
              + " (resolved to "
              + resolved
              + ")");
    }
    return new Template.Repo(text, Optional.of(resolved));
  }

  private String ref(YamlMapping s) {
    Optional<String> ref = s.text("ref", false);
    if (ref.isPresent() && (ref.get().startsWith("-") || !ref.get().matches("[^\\s\\p{Cntrl}]+"))) {
      throw s.valueError("ref", s.path("ref") + ": '" + ref.get() + "' is not a git ref");
    }
    return ref.orElse("HEAD");
  }

  private Template.Health health(YamlMapping h, Map<String, Integer> ports) {
    String path = h.text("path", false).orElse("/");
    if (!path.startsWith("/")) {
      throw h.valueError("path", "health.path: '" + path + "' must start with /");
    }
    String firstPort = ports.keySet().iterator().next();
    String port = h.text("port", false).orElse(firstPort);
    if (!ports.containsKey(port)) {
      throw h.valueError(
          "port",
          "health.port: '"
              + port
              + "' is not one of the ports ("
              + String.join(", ", ports.keySet())
              + ")");
    }
    int status = h.number("status").orElse(200);
    if (status < 100 || status > 599) {
      throw h.valueError(
          "status", "health.status: " + status + " is not an HTTP status (100..599)");
    }
    Duration deadline = h.duration("deadline").orElse(Duration.ofMinutes(2));
    Optional<String> expect = h.text("expect", false);
    if (expect.isPresent() && expect.get().isEmpty()) {
      throw h.valueError("expect", "health.expect: must not be empty (leave it out for any body)");
    }
    return new Template.Health(path, port, status, deadline, expect);
  }

  /** {@code recycle.every}: a duration, or {@code never} for none. */
  private static Optional<Duration> recycleEvery(YamlMapping section) {
    String text = section.scalar("every", true).orElseThrow().strip();
    if (text.equals("never")) {
      return Optional.empty();
    }
    Duration every =
        Durations.parse(
            text, why -> section.valueError("every", "recycle.every: " + why + ", or never"));
    return Optional.of(every);
  }

  private Template.Sync sync(YamlMapping section) {
    String cron = section.scalar("schedule", true).orElseThrow().strip();
    SyncCron parsed;
    try {
      parsed = SyncCron.parse(cron, SyncCron.DEFAULT_ZONE);
    } catch (IllegalArgumentException e) {
      throw section.valueError(
          "schedule",
          "sync.schedule: '"
              + cron
              + "' is not a valid Unix 5-field cron ("
              + YamlSyntax.oneLine(String.valueOf(e.getMessage()))
              + ")");
    }
    if (parsed.neverFires()) {
      throw section.valueError("schedule", "sync.schedule: '" + cron + "' never fires");
    }
    ZoneId zone = SyncCron.DEFAULT_ZONE;
    Optional<String> timezone = section.text("timezone", false);
    if (timezone.isPresent()) {
      try {
        zone = SyncCron.zone("sync.timezone", timezone.get());
      } catch (MayflyException e) {
        throw section.valueError("timezone", e.getMessage());
      }
    }
    return new Template.Sync(parsed.cron(), zone);
  }

  private Template.GitMode gitMode(YamlMapping top) {
    Optional<String> text = top.text("git", false);
    if (text.isEmpty()) {
      return Template.GitMode.AUTO;
    }
    Template.GitMode mode = Template.GitMode.parse(text.get());
    if (mode == null) {
      throw top.valueError("git", "git: '" + text.get() + "' must be pull, push or auto");
    }
    return mode;
  }

  /** An IP address literal: a name would be resolved on the controller, not on the host. */
  private Optional<String> bind(YamlMapping top) {
    Optional<String> bind = top.text("bind", false).map(String::strip);
    if (bind.isPresent() && !IP_LITERAL.matcher(bind.get()).matches()) {
      throw top.valueError(
          "bind",
          "bind: '"
              + bind.get()
              + "' must be an IP address such as 127.0.0.1,"
              + " 0.0.0.0 (every interface) or ::1");
    }
    return bind;
  }

  private Optional<String> root(YamlMapping top) {
    Optional<String> root = top.text("root", false);
    if (root.isEmpty()) {
      return root;
    }
    String r = RootPolicy.trimmed(root.get());
    Optional<String> problem = RootPolicy.problem(r);
    if (problem.isPresent()) {
      throw top.valueError("root", "root: '" + root.get() + "' " + problem.get());
    }
    return Optional.of(r);
  }
}
