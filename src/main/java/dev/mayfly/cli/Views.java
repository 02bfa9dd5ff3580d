package dev.mayfly.cli;

import dev.mayfly.deploy.Deployments;
import dev.mayfly.deploy.HostOutcome;
import dev.mayfly.deploy.Reaper;
import dev.mayfly.deploy.Services;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How results look in tables and on terminals; the JSON shapes of rows are {@link
 * dev.mayfly.view.JsonViews}, shared with the web API.
 */
final class Views {
  private Views() {}

  /** Under {@code list}: that syncs and expiry of live deployments wait for a daemon none runs. */
  static java.util.Optional<String> daemonNote(Deployments.Listing listing, Instant now) {
    boolean scheduled =
        listing.deployments().stream()
            .anyMatch(
                o ->
                    o.deployment().state().live()
                        && (o.nextSync(now).isPresent() || o.deployment().expiresAt().isPresent()));
    return listing.daemonServing() || !scheduled
        ? java.util.Optional.empty()
        : java.util.Optional.of(
            "note: no `mayfly daemon` is running for this registry: the syncs and expiries above"
                + " wait for one");
  }

  /** One deployment's hosts the reaper ended, or would end. */
  static Map<String, Object> recycle(Deployments.RecycleResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.deploymentId());
    m.put("ok", r.ok());
    m.put("service", Map.of("from", r.oldService(), "to", r.newService()));
    m.put("data", Map.of("from", r.oldData(), "to", r.newData()));
    m.put("url", r.url());
    m.put("urlChanged", r.urlChanged());
    List<Map<String, Object>> hosts = new ArrayList<>();
    for (Deployments.HostMove h : r.hosts()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("host", h.host());
      row.put("oldRoot", h.oldRoot());
      row.put("newRoot", h.newRoot());
      row.put("gapMs", h.gapMillis());
      hosts.add(row);
    }
    m.put("hosts", hosts);
    m.put("maxGapMs", r.maxGapMillis());
    if (r.why() != null) {
      m.put("why", r.why());
    }
    return m;
  }

  static Map<String, Object> service(Deployments.ServiceResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.deploymentId());
    m.put("commit", r.commit());
    m.put("previous", r.previous());
    m.put("updated", r.updated());
    m.put("unchanged", r.unchanged());
    m.put("failures", r.failures());
    m.put("reverted", r.reverted());
    return m;
  }

  static Map<String, Object> finding(Reaper.Finding f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("target", f.provider());
    m.put("deployment", f.deploymentId());
    m.put("hosts", f.hostIds());
    m.put("why", f.why());
    m.put("expiresAt", f.expiresAt().map(Instant::toString).orElse(null));
    m.put("reaped", f.reaped());
    m.put("leftAlone", f.leftAlone());
    m.put("error", f.error());
    return m;
  }

  /**
   * Text as a terminal shows it safely: control characters (ESC, CR, …) and bidi overrides are
   * escaped visibly ({@code \e[31m}, {@code \r}), so a value cannot move the cursor, recolour or
   * hide what follows it. JSON output needs none of this: its encoder escapes them already.
   */
  static String printable(Object value) {
    String text = value == null ? null : value.toString();
    if (text == null || plain(text)) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 8);
    text.chars()
        .forEach(
            c -> {
              switch (c) {
                case 0x1b -> out.append("\\e");
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default ->
                    out.append(
                        escaped(c)
                            ? String.format(c < 0x100 ? "\\x%02x" : "\\u%04x", c)
                            : (char) c);
              }
            });
    return out.toString();
  }

  /** A plain loop: this runs for every cell of a 10,000-row list, mostly cold code. */
  private static boolean plain(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (escaped(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean escaped(int c) {
    return c < 0x20
        || (c >= 0x7f && c <= 0x9f)
        || (c >= 0x202a && c <= 0x202e)
        || (c >= 0x2066 && c <= 0x2069);
  }

  /**
   * A failed host step as launch, sync and rollback print it: the host, the step, why, then the
   * last lines it printed and the full log's path.
   *
   * @param after words after "failed" ({@code , previous release still serving})
   */
  static void printFailure(java.io.PrintWriter err, HostOutcome h, String after) {
    err.println(
        "mayfly: "
            + h.hostId()
            + ": step "
            + h.failedStep()
            + " failed"
            + after
            + ": "
            + printable(h.message()));
    if (h.logTail() != null && !h.logTail().isBlank()) {
      err.println("  last lines (full log: " + h.log() + "):");
      h.logTail().lines().forEach(l -> err.println("  | " + printable(l)));
    } else if (h.log() != null) {
      err.println("  full log: " + h.log());
    }
    err.flush();
  }

  static String shortCommit(String commit) {
    return commit == null || commit.length() < 12 ? commit : commit.substring(0, 12);
  }

  static Map<String, Object> info(Services.Info info) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("registry", info.registryId());
    m.put("state", info.stateDir().toString());
    m.put("database", info.database());
    m.put("providers", info.providers());
    return m;
  }
}
