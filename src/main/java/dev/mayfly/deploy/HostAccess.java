package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.host.HostShell;
import dev.mayfly.provider.Provider;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.EventRow;
import dev.mayfly.store.HostRow;
import dev.mayfly.store.HostState;
import dev.mayfly.template.ShellQuote;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a user reads and runs on a deployment's hosts by hand: the service logs ({@code mayfly
 * logs}) and a shell or command in the root ({@code mayfly ssh}), through the same {@link
 * HostShell} as every step, so host keys are checked as they are at launch.
 */
final class HostAccess {
  /** A following {@code tail} lives at most this long; Ctrl-C ends it sooner. */
  private static final Duration FOLLOW_LIMIT = Duration.ofDays(7);

  private static final Pattern STAMP =
      Pattern.compile("^\\[?([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}:[0-9]{2}:[0-9]{2})");

  private final DeploymentContext ctx;

  HostAccess(DeploymentContext ctx) {
    this.ctx = ctx;
  }

  /**
   * What {@code mayfly logs} prints.
   *
   * @param host a host id or address; null for every host
   * @param since only events, and log lines that start with a time, this recent; null for all
   * @param lines how many of the last lines per host
   */
  record LogQuery(String host, boolean follow, Duration since, int lines, boolean events) {}

  /** Prints each host's service log, lines prefixed with the host; returns when every tail ends. */
  void logs(String id, LogQuery q, Consumer<String> out) {
    DeploymentRow d = ctx.require(id);
    if (q.lines() < 0) {
      throw MayflyException.badInput("--lines: must be 0 or more");
    }
    Instant from = q.since() == null ? null : ctx.clock().instant().minus(q.since());
    if (q.events()) {
      for (EventRow e : ctx.registry().events(id)) {
        if (from == null || !e.at().isBefore(from)) {
          out.accept(
              e.at()
                  + " mayfly"
                  + e.hostId().map(h -> "[" + h + "]").orElse("")
                  + ": "
                  + e.kind()
                  + " "
                  + e.detail());
        }
      }
    }
    List<HostRow> hosts = select(d, q.host());
    // with --since every line is read, then filtered here; else the host sends only the last ones
    String tail =
        "tail "
            + (q.since() == null ? "-n " + q.lines() : "-n +1")
            + (q.follow() ? " -F --pid=$PPID" : "")
            + " ";
    try (Provider provider = ctx.providerFor(d, Spec.fromJson(d.spec()))) {
      List<Thread> threads = new ArrayList<>();
      List<String> failures = new ArrayList<>();
      for (HostRow row : hosts) {
        Thread t =
            new Thread(
                () -> {
                  String failure = tail(provider, row, tail, from, out);
                  if (failure != null) {
                    synchronized (failures) {
                      failures.add(failure);
                    }
                  }
                },
                "logs-" + row.hostId());
        t.setDaemon(true);
        t.start();
        threads.add(t);
      }
      for (Thread t : threads) {
        t.join();
      }
      if (!failures.isEmpty()) {
        throw MayflyException.failed("logs " + id + ": " + String.join("; ", failures));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * @return null when the tail ended cleanly, else why not
   */
  private String tail(
      Provider provider, HostRow row, String tail, Instant from, Consumer<String> out) {
    String file = row.root().orElseThrow() + "/log/service.log";
    String prefix = row.hostId() + " | ";
    boolean[] keep = {from == null};
    try (HostShell shell = provider.open(RecordedHost.hostOf(row))) {
      HostShell.ExecResult r =
          shell.exec(
              "[ -f " + ShellQuote.quote(file) + " ] || exit 0; " + tail + ShellQuote.quote(file),
              FOLLOW_LIMIT,
              line -> {
                if (from != null) {
                  Optional<Instant> at = stamp(line);
                  if (at.isPresent()) {
                    keep[0] = !at.get().isBefore(from);
                  }
                }
                if (keep[0]) {
                  out.accept(prefix + line);
                }
              });
      return r.ok() ? null : row.hostId() + ": tail exit " + r.exitCode();
    } catch (MayflyException e) {
      return row.hostId() + ": " + e.getMessage();
    }
  }

  /** The time a log line starts with (ISO 8601 or "date time", UTC unless it says). */
  static Optional<Instant> stamp(String line) {
    Matcher m = STAMP.matcher(line);
    if (!m.find()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          LocalDateTime.parse(m.group(1) + "T" + m.group(2)).toInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /**
   * Runs {@code command} (one shell text, or an interactive login shell when empty) on one host in
   * the deployment root with {@code mayfly.env} loaded.
   *
   * @return its exit code
   */
  int shell(
      String id, String host, List<String> command, Consumer<String> out, Consumer<String> note) {
    DeploymentRow d = ctx.requireLive(id);
    List<HostRow> hosts = select(d, host);
    HostRow row = hosts.get(0);
    if (host == null && hosts.size() > 1) {
      note.accept("mayfly: on " + row.hostId() + " (of " + hosts.size() + "; --host to choose)");
    }
    String root = row.root().orElseThrow();
    String prelude = "cd " + ShellQuote.quote(root) + " && set -a && . ./mayfly.env && set +a && ";
    try (Provider provider = ctx.providerFor(d, Spec.fromJson(d.spec()));
        HostShell shell = provider.open(RecordedHost.hostOf(row))) {
      if (!command.isEmpty()) {
        return shell
            .exec(
                prelude + "exec sh -c " + ShellQuote.quote(String.join(" ", command)),
                FOLLOW_LIMIT,
                out)
            .exitCode();
      }
      return interactive(shell, prelude + "exec \"${SHELL:-/bin/sh}\" -i", row, d.target());
    }
  }

  private int interactive(HostShell shell, String command, HostRow row, String target) {
    Path scratch = null;
    try {
      scratch = Files.createTempDirectory(ctx.stateDir(), "ssh-");
      ProcessBuilder pb =
          shell
              .terminal(command, scratch)
              .orElseThrow(
                  () ->
                      MayflyException.failed(
                          row.hostId()
                              + ": target "
                              + target
                              + " gives no interactive shell; give a COMMAND after --"));
      return pb.start().waitFor();
    } catch (IOException e) {
      throw MayflyException.failed(row.hostId() + ": cannot start a terminal: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 130;
    } finally {
      if (scratch != null) {
        try (var files = Files.walk(scratch)) {
          for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        } catch (IOException ignored) {
          // a known_hosts file with a public key: nothing secret left behind
        }
      }
    }
  }

  /** The deployment's live hosts with a root, or the one {@code host} names (id or address). */
  private List<HostRow> select(DeploymentRow d, String host) {
    List<HostRow> live =
        ctx.registry().hosts(d.id()).stream()
            .filter(h -> h.state() != HostState.TERMINATED && h.root().isPresent())
            .toList();
    if (live.isEmpty()) {
      throw MayflyException.wrongState("deployment " + d.id() + " has no host with a root");
    }
    if (host == null) {
      return live;
    }
    List<HostRow> named =
        live.stream().filter(h -> h.hostId().equals(host) || h.address().equals(host)).toList();
    if (named.isEmpty()) {
      throw MayflyException.badInput(
          "--host: "
              + host
              + " is not a host of "
              + d.id()
              + " (its hosts: "
              + String.join(", ", live.stream().map(HostRow::hostId).toList())
              + ")");
    }
    return named;
  }
}
