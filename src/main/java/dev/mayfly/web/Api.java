package dev.mayfly.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.deploy.Deployments;
import dev.mayfly.deploy.LaunchOptions;
import dev.mayfly.deploy.Progress;
import dev.mayfly.deploy.Termination;
import dev.mayfly.template.TemplateCatalog;
import dev.mayfly.view.JsonViews;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /api/v1}: the shapes of {@code --output json} ({@link JsonViews}) for reading, and the
 * commands' actions for writing. Described by {@code openapi.json} beside this class.
 */
final class Api {
  static final String PREFIX = "/api/v1";
  static final ObjectMapper JSON = new ObjectMapper();

  private final Deployments deployments;
  private final Launches launches;
  private final Clock clock;

  Api(Deployments deployments, Launches launches, Clock clock) {
    this.deployments = deployments;
    this.launches = launches;
    this.clock = clock;
  }

  static void json(Context ctx, int status, Object value) {
    try {
      ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  void list(Context ctx) {
    Instant now = clock.instant();
    Filter filter = Filter.of(ctx);
    Deployments.Listing listing = deployments.list(true, null);
    json(
        ctx,
        200,
        listing.deployments().stream()
            .filter(filter::matches)
            .map(o -> JsonViews.listed(o, now, listing.daemonServing()))
            .toList());
  }

  void status(Context ctx) {
    String id = ctx.pathParam("id");
    Deployments.Status status = deployments.status(id);
    json(
        ctx,
        200,
        JsonViews.status(
            status,
            new Deployments.Overview(status.deployment(), deployments.schedule(id)),
            clock.instant()));
  }

  void templates(Context ctx) {
    json(ctx, 200, deployments.catalog().list().stream().map(JsonViews::catalogEntry).toList());
  }

  void template(Context ctx) {
    String name = ctx.pathParam("name");
    TemplateCatalog.Entry entry = entry(deployments.catalog(), name);
    if (!entry.ok()) {
      json(ctx, 200, JsonViews.catalogEntry(entry));
      return;
    }
    json(ctx, 200, JsonViews.template(deployments.catalog().load(name)));
  }

  /** The catalog's entry named {@code name}, valid or not; 404 when there is none. */
  static TemplateCatalog.Entry entry(TemplateCatalog catalog, String name) {
    return catalog.list().stream()
        .filter(e -> e.name().equals(name))
        .findFirst()
        .orElseThrow(
            () -> Problem.notFound("unknown template '" + name + "' (see `mayfly templates`)"));
  }

  private static final Set<String> LAUNCH_FIELDS =
      Set.of("template", "params", "target", "count", "expires", "name", "sync");

  /** Checks everything at once (400 naming the field), then launches in the background: 202. */
  void launch(Context ctx) {
    JsonNode body = body(ctx, LAUNCH_FIELDS);
    String template = text(body, "template");
    if (template == null) {
      throw Problem.badInput("launch: give a template name (field 'template')");
    }
    Map<String, String> params = new LinkedHashMap<>();
    JsonNode p = body.get("params");
    if (p != null && !p.isNull()) {
      if (!p.isObject()) {
        throw Problem.badInput("request body: 'params' must be an object of name to string");
      }
      Iterator<Map.Entry<String, JsonNode>> fields = p.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        if (!f.getValue().isTextual()) {
          throw Problem.badInput("param '" + f.getKey() + "': must be a string");
        }
        params.put(f.getKey(), f.getValue().asText());
      }
    }
    JsonNode count = body.get("count");
    if (count != null && !count.isNull() && !count.canConvertToInt()) {
      throw Problem.badInput("request body: 'count' must be a whole number");
    }
    String id =
        start(
            template,
            params,
            Optional.ofNullable(text(body, "target")).orElse("local"),
            count == null || count.isNull() ? 1 : count.asInt(),
            text(body, "expires"),
            text(body, "name"),
            text(body, "sync"));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("status", PREFIX + "/deployments/" + id);
    m.put("progress", PREFIX + "/launches/" + id + "/events");
    ctx.header("Location", PREFIX + "/deployments/" + id);
    json(ctx, 202, m);
  }

  /** Plans (throwing on bad input) and starts a launch; the console's form uses it too. */
  String start(
      String template,
      Map<String, String> params,
      String target,
      int count,
      String expires,
      String name,
      String sync) {
    LaunchOptions options =
        new LaunchOptions(
            template,
            null,
            List.of(),
            expires,
            name,
            target,
            count,
            32,
            List.of(),
            sync,
            null,
            null,
            null,
            Map.of(),
            null,
            null,
            // as from --param-stdin: values never parsed out of NAME=VALUE text
            params,
            null,
            null);
    return launches.start(deployments.plan(options)).id;
  }

  void launchState(Context ctx) {
    Launches.Run run = run(ctx.pathParam("id"));
    json(ctx, 200, runView(run));
  }

  static Map<String, Object> runView(Launches.Run run) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", run.id);
    m.put("done", run.done());
    m.put("lines", run.lines().stream().map(Api::lineView).toList());
    m.put("result", run.result() == null ? null : JsonViews.launch(run.result()));
    m.put("error", run.error());
    return m;
  }

  private static Map<String, Object> lineView(Launches.Line l) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("host", l.host());
    m.put("step", l.step());
    m.put("status", l.status());
    m.put("seconds", l.seconds());
    m.put("failure", l.failure());
    m.put("text", l.text());
    return m;
  }

  Launches.Run run(String id) {
    Launches.Run run = launches.find(id);
    if (run == null) {
      throw Problem.notFound("no launch of '" + id + "' started by this daemon");
    }
    return run;
  }

  /**
   * Server-sent events: {@code progress} per host step as it happens, then one {@code result} (the
   * launch's JSON) or {@code error}; bounded at one hour.
   */
  void events(SseClient client) {
    Launches.Run run = launches.find(client.ctx().pathParam("id"));
    if (run == null) {
      client.sendEvent("error", "no launch of this id started by this daemon");
      client.close();
      return;
    }
    long end = System.nanoTime() + Duration.ofHours(1).toNanos();
    int seen = 0;
    try {
      while (!client.terminated() && System.nanoTime() < end) {
        List<Launches.Line> fresh = run.after(seen, Duration.ofSeconds(15));
        for (Launches.Line line : fresh) {
          client.sendEvent("progress", JSON.writeValueAsString(lineView(line)));
        }
        seen += fresh.size();
        if (fresh.isEmpty() && !run.done()) {
          client.sendComment("waiting");
        }
        if (run.done() && run.lines().size() == seen) {
          if (run.result() != null) {
            client.sendEvent("result", JSON.writeValueAsString(JsonViews.launch(run.result())));
          } else {
            client.sendEvent("error", JSON.writeValueAsString(Map.of("detail", run.error())));
          }
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    client.close();
  }

  void sync(Context ctx) {
    json(ctx, 200, JsonViews.sync(deployments.sync(ctx.pathParam("id"), Progress.SILENT)));
  }

  void extend(Context ctx) {
    JsonNode body = body(ctx, Set.of("by", "until", "never"));
    String id = ctx.pathParam("id");
    JsonNode never = body.get("never");
    Optional<Instant> at =
        deployments.extend(
            id, text(body, "by"), text(body, "until"), never != null && never.asBoolean(false));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("expiresAt", at.map(Instant::toString).orElse(null));
    json(ctx, 200, m);
  }

  void rollback(Context ctx) {
    JsonNode body = body(ctx, Set.of("to"));
    json(
        ctx,
        200,
        JsonViews.sync(
            deployments.rollback(ctx.pathParam("id"), text(body, "to"), Progress.SILENT)));
  }

  void terminate(Context ctx) {
    String id = ctx.pathParam("id");
    Termination t =
        deployments.terminate(id, "true".equals(ctx.queryParam("force")), Progress.SILENT);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("alreadyTerminated", t.alreadyTerminated());
    m.put("leftRunning", t.leftRunning());
    json(ctx, 200, m);
  }

  void openapi(Context ctx) {
    try (InputStream in = Api.class.getResourceAsStream("openapi.json")) {
      ctx.contentType("application/json")
          .result(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The request's JSON object; an empty body is an empty object. */
  private static JsonNode body(Context ctx, Set<String> fields) {
    String text = ctx.body();
    if (text.isBlank()) {
      return JSON.createObjectNode();
    }
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw Problem.badInput("request body: not JSON");
    }
    if (node == null || !node.isObject()) {
      throw Problem.badInput("request body: must be a JSON object");
    }
    List<String> unknown = new ArrayList<>();
    node.fieldNames()
        .forEachRemaining(
            f -> {
              if (!fields.contains(f)) {
                unknown.add(f);
              }
            });
    if (!unknown.isEmpty()) {
      throw Problem.badInput(
          "request body: unknown field '"
              + unknown.get(0)
              + "' (known: "
              + String.join(", ", fields.stream().sorted().toList())
              + ")");
    }
    return node;
  }

  private static String text(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw Problem.badInput("request body: '" + field + "' must be a string");
    }
    return v.asText();
  }

  /** {@code ?template=&target=&state=}: exact matches, each optional. */
  record Filter(String template, String target, String state) {
    static Filter of(Context ctx) {
      return new Filter(
          blank(ctx.queryParam("template")),
          blank(ctx.queryParam("target")),
          blank(ctx.queryParam("state")));
    }

    private static String blank(String s) {
      return s == null || s.isBlank() ? null : s.strip();
    }

    boolean matches(Deployments.Overview o) {
      return (template == null || template.equals(o.deployment().template()))
          && (target == null || target.equals(o.deployment().target()))
          && (state == null || state.equals(o.deployment().state().word()));
    }
  }
}
