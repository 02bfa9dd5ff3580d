package dev.mayfly.template;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads and validates {@code templates/<name>.yaml}. Works on snakeyaml's node tree rather than on
 * plain maps so that every error can name the {@code file:line:column} of what is wrong.
 */
public final class TemplateLoader {
  static final Pattern TEMPLATE_NAME = Pattern.compile("[a-z][a-z0-9-]{0,39}");
  private static final Pattern URL =
      Pattern.compile("(https?|ssh|git|file)://\\S+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:\\S+");
  private static final Pattern WHOLE_NUMBER = Pattern.compile("-?[0-9]{1,9}");
  private static final Set<String> NULLS = Set.of("", "~", "null", "Null", "NULL");

  private static final List<String> TOP =
      List.of("name", "description", "service", "data", "params", "ports", "health", "lifetime", "sync", "root", "git");
  private static final List<String> SERVICE = List.of("repo", "ref", "install", "start");
  private static final List<String> DATA = List.of("repo", "ref", "publish", "keep");
  private static final List<String> PARAM = List.of("description", "default", "required", "secret", "pattern");
  private static final List<String> HEALTH = List.of("path", "port", "status", "deadline");
  private static final List<String> SYNC = List.of("schedule");

  private static final CronParser CRON =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private final Path file;
  private final int[] source;

  private TemplateLoader(Path file, String text) {
    this.file = file;
    this.source = text.codePoints().toArray();
  }

  /** Loads and validates one template; errors are one line starting with {@code file:line:column:}. */
  public static Template load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new TemplateException(file + ": no such file");
    } catch (MalformedInputException e) {
      throw new TemplateException(file + ": not UTF-8 text");
    } catch (IOException e) {
      throw new TemplateException(file + ": cannot read (" + e.getMessage() + ")");
    }
    return new TemplateLoader(file, text).parse(text);
  }

  private Template parse(String text) {
    Node root = compose(text);
    Section top = new Section(root, "", root, TOP);

    ScalarNode nameNode = top.scalar("name", true).orElseThrow();
    String name = nameNode.getValue();
    if (!TEMPLATE_NAME.matcher(name).matches()) {
      throw error(nameNode, "name: '" + name + "' is not a valid template name (use [a-z][a-z0-9-]{0,39})");
    }
    String base = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
    if (!name.equals(base)) {
      throw error(
          nameNode, "name: '" + name + "' does not match the file name '" + file.getFileName() + "' (rename one of them)");
    }
    String description = top.text("description", true).orElseThrow();
    // Keys of every section first, in file order, so a typo is reported before what it causes.
    Section svc = top.section("service", SERVICE, true).orElseThrow();
    Section dat = top.section("data", DATA, true).orElseThrow();
    Optional<Section> paramSection = top.section("params", null, false);
    Section portSection = top.section("ports", null, true).orElseThrow();
    Optional<Section> healthSection = top.section("health", HEALTH, false);
    Optional<Section> syncSection = top.section("sync", SYNC, false);

    Map<String, Integer> ports = ports(portSection);
    Map<String, Template.Param> params = params(paramSection);
    Template.Service service =
        new Template.Service(
            repo(svc), ref(svc), command(svc, "install", true, params, ports).orElseThrow(),
            command(svc, "start", false, params, ports));

    int keep = dat.number("keep").orElse(3);
    if (keep < 1) {
      throw error(dat.value("keep").orElseThrow(), "data.keep: must be at least 1 (the release being served)");
    }
    Template.Data data =
        new Template.Data(repo(dat), ref(dat), command(dat, "publish", false, params, ports), keep);

    Template.Health health = health(healthSection.orElseGet(() -> top.empty("health")), ports);
    Duration lifetime = duration(top, "lifetime").orElse(Duration.ofDays(7));
    Optional<Template.Sync> sync = syncSection.map(this::sync);
    Optional<String> rootDir = root(top);
    Template.GitMode git = gitMode(top);

    return new Template(
        name, description, file, service, data, Collections.unmodifiableMap(params),
        Collections.unmodifiableMap(ports), health, lifetime, sync, rootDir, git);
  }

  private Node compose(String text) {
    Optional<Node> root = YamlSyntax.compose(file, text, 50, TemplateException::new);
    if (root.isEmpty() || isNull(root.get())) {
      throw new TemplateException(
          file + ":1:1: empty template (expected fields " + String.join(", ", TOP) + ")");
    }
    return root.get();
  }

  private Map<String, Integer> ports(Section section) {
    Map<String, Integer> ports = new LinkedHashMap<>();
    Map<Integer, String> byNumber = new LinkedHashMap<>();
    for (String name : section.keys()) {
      section.checkName(name, "port");
      String path = "ports." + name;
      int port = section.number(name).orElseThrow(() -> error(section.key(name), path + ": no port number given"));
      if (port < 1 || port > 65535) {
        throw error(section.value(name).orElseThrow(), path + ": " + port + " is not a port number (1..65535)");
      }
      String other = byNumber.putIfAbsent(port, name);
      if (other != null) {
        throw error(section.value(name).orElseThrow(), path + ": " + port + " is already used by ports." + other);
      }
      ports.put(name, port);
    }
    if (ports.isEmpty()) {
      throw error(section.at, "ports: at least one port is required (e.g. http: 8080)");
    }
    return ports;
  }

  private Map<String, Template.Param> params(Optional<Section> section) {
    Map<String, Template.Param> params = new LinkedHashMap<>();
    if (section.isEmpty()) {
      return params;
    }
    for (String name : section.get().keys()) {
      section.get().checkName(name, "parameter");
      Section p = section.get().section(name, PARAM, false).orElseGet(() -> section.get().empty(name));
      boolean required = p.bool("required").orElse(false);
      boolean secret = p.bool("secret").orElse(false);
      Optional<String> defaultValue = p.text("default", false);
      if (required && defaultValue.isPresent()) {
        throw error(
            p.value("default").orElseThrow(),
            p.path("default") + ": a required param cannot have a default (drop one of them)");
      }
      Optional<Pattern> pattern = Optional.empty();
      Optional<String> regex = p.text("pattern", false);
      if (regex.isPresent()) {
        try {
          pattern = Optional.of(Pattern.compile(regex.get()));
        } catch (PatternSyntaxException e) {
          throw error(
              p.value("pattern").orElseThrow(),
              p.path("pattern") + ": '" + regex.get() + "' is not a valid regex (" + e.getDescription() + ")");
        }
        if (defaultValue.isPresent() && !pattern.get().matcher(defaultValue.get()).matches()) {
          throw error(
              p.value("default").orElseThrow(),
              p.path("default") + ": does not match pattern '" + regex.get() + "'");
        }
      }
      String description = p.text("description", false).orElse("");
      params.put(name, new Template.Param(name, required, defaultValue, secret, pattern, description));
    }
    return params;
  }

  private Template.Repo repo(Section s) {
    ScalarNode node = s.scalar("repo", true).orElseThrow();
    String text = node.getValue().strip();
    if (URL.matcher(text).matches()) {
      return new Template.Repo(text, Optional.empty());
    }
    Path resolved;
    try {
      resolved = file.toAbsolutePath().getParent().resolve(text).normalize();
    } catch (InvalidPathException e) {
      throw error(node, s.path("repo") + ": '" + text + "' is neither a git URL nor a path");
    }
    if (!Files.isDirectory(resolved)) {
      String why = Files.exists(resolved) ? "is not a folder" : "does not exist";
      throw error(
          node, s.path("repo") + ": local path '" + text + "' " + why + " (resolved to " + resolved + ")");
    }
    return new Template.Repo(text, Optional.of(resolved));
  }

  private String ref(Section s) {
    Optional<String> ref = s.text("ref", false);
    if (ref.isPresent() && (ref.get().startsWith("-") || !ref.get().matches("[^\\s\\p{Cntrl}]+"))) {
      throw error(s.value("ref").orElseThrow(), s.path("ref") + ": '" + ref.get() + "' is not a git ref");
    }
    return ref.orElse("HEAD");
  }

  private Optional<String> command(
      Section s, String key, boolean required, Map<String, Template.Param> params, Map<String, Integer> ports) {
    Optional<ScalarNode> node = s.scalar(key, required);
    if (node.isEmpty()) {
      return Optional.empty();
    }
    String command = node.get().getValue();
    if (command.isBlank()) {
      throw error(node.get(), s.path(key) + ": must not be empty");
    }
    Map<String, Integer> seen = new LinkedHashMap<>();
    for (Placeholders.Found found : Placeholders.scan(command)) {
      int nth = seen.merge(found.text(), 1, Integer::sum);
      String k = found.key();
      boolean known =
          Placeholders.variable(k) != null
              && (k.startsWith("ports.") ? ports.containsKey(k.substring(6)) : params.containsKey(k));
      if (!known) {
        List<String> valid = new ArrayList<>();
        params.keySet().forEach(p -> valid.add("{{" + p + "}}"));
        ports.keySet().forEach(p -> valid.add("{{ports." + p + "}}"));
        throw errorAt(
            placeholderPosition(node.get(), found.text(), nth),
            s.path(key) + ": unknown placeholder '" + found.text() + "' (known: " + String.join(", ", valid) + ")");
      }
      if (found.singleQuoted()) {
        throw errorAt(
            placeholderPosition(node.get(), found.text(), nth),
            s.path(key)
                + ": placeholder '"
                + found.text()
                + "' is inside single quotes, where the shell would not expand it (drop the quotes: values arrive quoted)");
      }
    }
    return Optional.of(command);
  }

  private Template.Health health(Section h, Map<String, Integer> ports) {
    String path = h.text("path", false).orElse("/");
    if (!path.startsWith("/")) {
      throw error(h.value("path").orElseThrow(), "health.path: '" + path + "' must start with /");
    }
    String firstPort = ports.keySet().iterator().next();
    String port = h.text("port", false).orElse(firstPort);
    if (!ports.containsKey(port)) {
      throw error(
          h.value("port").orElseThrow(),
          "health.port: '" + port + "' is not one of the ports (" + String.join(", ", ports.keySet()) + ")");
    }
    int status = h.number("status").orElse(200);
    if (status < 100 || status > 599) {
      throw error(h.value("status").orElseThrow(), "health.status: " + status + " is not an HTTP status (100..599)");
    }
    Duration deadline = duration(h, "deadline").orElse(Duration.ofMinutes(2));
    return new Template.Health(path, port, status, deadline);
  }

  private Optional<Duration> duration(Section s, String key) {
    Optional<ScalarNode> node = s.scalar(key, false);
    if (node.isEmpty()) {
      return Optional.empty();
    }
    String text = node.get().getValue();
    return Optional.of(
        Durations.tryParse(text)
            .orElseThrow(
                () ->
                    error(
                        node.get(),
                        s.path(key) + ": '" + text + "' is not a duration (use e.g. 30d, 72h, 90m, 45s)")));
  }

  private Template.Sync sync(Section section) {
    ScalarNode node = section.scalar("schedule", true).orElseThrow();
    String cron = node.getValue().strip();
    try {
      CRON.parse(cron).validate();
    } catch (IllegalArgumentException e) {
      String reason = oneLine(String.valueOf(e.getMessage())).replaceFirst("^Failed to parse cron expression\\. ", "");
      throw error(
          node, "sync.schedule: '" + cron + "' is not a valid Unix 5-field cron (" + reason + ")");
    }
    return new Template.Sync(cron);
  }

  private Template.GitMode gitMode(Section top) {
    Optional<String> text = top.text("git", false);
    if (text.isEmpty()) {
      return Template.GitMode.AUTO;
    }
    Template.GitMode mode = Template.GitMode.parse(text.get());
    if (mode == null) {
      throw error(top.value("git").orElseThrow(), "git: '" + text.get() + "' must be pull, push or auto");
    }
    return mode;
  }

  private Optional<String> root(Section top) {
    Optional<String> root = top.text("root", false);
    if (root.isEmpty()) {
      return root;
    }
    String r = root.get().replaceAll("(.)/+$", "$1");
    boolean shaped = (r.startsWith("/") || r.startsWith("~/")) && r.matches("[^\\s\\p{Cntrl}]+");
    boolean below = !r.equals("/") && !r.equals("~") && !r.matches(".*(^|/)\\.\\.?(/|$).*");
    if (!shaped || !below) {
      // Termination removes the root, so it must be a definite folder of its own.
      throw error(
          top.value("root").orElseThrow(),
          "root: '" + root.get() + "' must be an absolute path (or start with ~/) naming a folder, like /opt/open-qa");
    }
    return Optional.of(r);
  }

  // ---- positions and errors

  private int placeholderPosition(ScalarNode node, String placeholder, int nth) {
    int start = node.getStartMark().map(Mark::getIndex).orElse(0);
    int end = node.getEndMark().map(Mark::getIndex).orElse(source.length);
    String raw = new String(source, start, Math.min(end, source.length) - start);
    int at = -1;
    for (int i = 0; i < nth; i++) {
      at = raw.indexOf(placeholder, at + 1);
      if (at < 0) {
        return start; // escaped in the YAML source: point at the value instead
      }
    }
    return start + raw.codePointCount(0, at);
  }

  private TemplateException error(Node node, String message) {
    return at(node.getStartMark(), message);
  }

  private TemplateException at(Optional<Mark> mark, String message) {
    return new TemplateException(YamlSyntax.where(file, mark) + ": " + message);
  }

  private TemplateException errorAt(int index, String message) {
    return new TemplateException(YamlSyntax.where(file, source, index) + ": " + message);
  }

  private static String oneLine(String s) {
    return YamlSyntax.oneLine(s);
  }

  private static boolean isNull(Node node) {
    return node instanceof ScalarNode s && s.getScalarStyle() == ScalarStyle.PLAIN && NULLS.contains(s.getValue());
  }

  private static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    String v = ((ScalarNode) node).getValue();
    return "'" + (v.length() > 40 ? v.substring(0, 40) + "…" : v) + "'";
  }

  /** One mapping of the template, with its keys checked against the ones it allows. */
  private final class Section {
    final Node at;
    final String path;
    final Map<String, NodeTuple> entries = new LinkedHashMap<>();

    /**
     * @param at where "missing field" errors point: the key naming this section, or the document
     * @param allowed null when keys are names chosen by the author (ports, params)
     */
    Section(Node at, String path, Node value, List<String> allowed) {
      this.at = at;
      this.path = path;
      if (value == null) {
        return;
      }
      if (!(value instanceof MappingNode mapping)) {
        throw error(
            value,
            path.isEmpty()
                ? "expected a mapping of template fields (" + String.join(", ", TOP) + "), found " + describe(value)
                : path + ": expected a mapping, found " + describe(value));
      }
      String in = path.isEmpty() ? "" : " in " + path;
      for (NodeTuple t : mapping.getValue()) {
        if (!(t.getKeyNode() instanceof ScalarNode keyNode)) {
          throw error(t.getKeyNode(), (path.isEmpty() ? "" : path + ": ") + "keys must be plain text");
        }
        String key = keyNode.getValue();
        NodeTuple first = entries.get(key);
        if (first != null) {
          int line = first.getKeyNode().getStartMark().map(m -> m.getLine() + 1).orElse(0);
          throw error(keyNode, "duplicate key '" + key + "'" + in + " (first at line " + line + ")");
        }
        if (allowed != null && !allowed.contains(key)) {
          throw error(
              keyNode, "unknown key '" + key + "'" + in + " (expected: " + String.join(", ", allowed) + ")");
        }
        entries.put(key, t);
      }
    }

    String path(String key) {
      return path.isEmpty() ? key : path + "." + key;
    }

    List<String> keys() {
      return new ArrayList<>(entries.keySet());
    }

    Node key(String key) {
      return entries.get(key).getKeyNode();
    }

    Section empty(String key) {
      return new Section(entries.containsKey(key) ? key(key) : at, path(key), null, null);
    }

    void checkName(String name, String what) {
      if (!Placeholders.NAME.matcher(name).matches()) {
        throw error(key(name), path + ": '" + name + "' is not a valid " + what + " name (use [a-z][a-z0-9_]*)");
      }
    }

    /** The value node, absent when the key is missing or has an empty/null value. */
    Optional<Node> value(String key) {
      NodeTuple t = entries.get(key);
      return t == null || isNull(t.getValueNode()) ? Optional.empty() : Optional.of(t.getValueNode());
    }

    Optional<ScalarNode> scalar(String key, boolean required) {
      Optional<Node> v = value(key);
      if (v.isEmpty()) {
        if (required) {
          throw error(at, "missing required field '" + path(key) + "'");
        }
        return Optional.empty();
      }
      if (!(v.get() instanceof ScalarNode s)) {
        throw error(v.get(), path(key) + ": expected text, found " + describe(v.get()));
      }
      return Optional.of(s);
    }

    Optional<String> text(String key, boolean required) {
      Optional<ScalarNode> s = scalar(key, required);
      if (s.isPresent() && required && s.get().getValue().isBlank()) {
        throw error(s.get(), path(key) + ": must not be empty");
      }
      return s.map(ScalarNode::getValue);
    }

    Optional<Integer> number(String key) {
      Optional<ScalarNode> s = scalar(key, false);
      if (s.isPresent() && !WHOLE_NUMBER.matcher(s.get().getValue()).matches()) {
        throw error(s.get(), path(key) + ": expected a whole number, found " + describe(s.get()));
      }
      return s.map(n -> Integer.parseInt(n.getValue()));
    }

    Optional<Boolean> bool(String key) {
      Optional<ScalarNode> s = scalar(key, false);
      if (s.isPresent() && !s.get().getValue().matches("true|false")) {
        throw error(s.get(), path(key) + ": expected true or false, found " + describe(s.get()));
      }
      return s.map(n -> n.getValue().equals("true"));
    }

    Optional<Section> section(String key, List<String> allowed, boolean required) {
      Optional<Node> v = value(key);
      if (v.isEmpty()) {
        if (required) {
          throw error(at, "missing required field '" + path(key) + "'");
        }
        return Optional.empty();
      }
      return Optional.of(new Section(key(key), path(key), v.get(), allowed));
    }
  }
}
