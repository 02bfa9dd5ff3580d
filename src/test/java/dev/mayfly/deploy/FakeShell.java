package dev.mayfly.deploy;

import dev.mayfly.host.HostShell;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A shell on a {@link FakeProvider} host that answers the steps of {@code mayfly-host.sh} as a real
 * host would (releases newest first, {@code current} switched by publish-data), without running
 * anything. A step the provider was told to fail for this host exits 1.
 */
final class FakeShell implements HostShell {
  static final String HOME = "/home/fake";

  private final FakeProvider.FakeHost host;
  private final FakeProvider provider;

  FakeShell(FakeProvider provider, FakeProvider.FakeHost host) {
    this.provider = provider;
    this.host = host;
  }

  @Override
  public ExecResult exec(String command, Duration timeout, Consumer<String> output) {
    if (command.startsWith("tail ")) {
      output.accept("service log of " + host.id);
      return new ExecResult(0);
    }
    List<String> words = words(command);
    // sh <root>/bin/mayfly-host.sh ROOT DEPLOYMENT REGISTRY STEP ARGS, or the ownership steps run
    // from the
    // script's text: sh -c SCRIPT bin/mayfly-host.sh ROOT DEPLOYMENT REGISTRY STEP
    int at = words.size() > 1 && words.get(1).equals("-c") ? 7 : 5;
    if (words.size() <= at
        || !words.get(0).equals("sh")
        || !words.get(at - 4).endsWith(HostSession.SCRIPT)) {
      output.accept("fake shell: unexpected command " + command);
      return new ExecResult(127);
    }
    String step = words.get(at);
    List<String> args = words.subList(at + 1, words.size());
    if (step.equals("claim") || step.equals("check")) {
      return new ExecResult(0); // a fake host's root is always this deployment's
    }
    host.steps.add(step);
    provider.beforeStep(step);
    if (provider.fails(host.id, step)) {
      output.accept("boom: " + step + " failed on " + host.id);
      return new ExecResult(1);
    }
    synchronized (host) {
      switch (step) {
        case "prepare", "fetch-service", "fetch-data", "install", "start", "stop" -> {}
        case "publish-data" -> {
          String commit = args.get(1);
          host.releases.remove(commit);
          host.releases.add(0, commit);
          host.current = commit;
          output.accept("data at " + commit);
        }
        case "releases" -> host.releases.forEach(output);
        case "current-data" -> {
          if (host.current != null) {
            output.accept(host.current);
          }
        }
        case "destroy" -> {
          host.releases.clear();
          host.current = null;
          host.destroyed = true;
        }
        default -> {
          output.accept("unknown step " + step);
          return new ExecResult(2);
        }
      }
    }
    return new ExecResult(0);
  }

  /**
   * The words of a command line that {@code ShellQuote.join} made: single-quoted, {@code '\''}
   * inside.
   */
  static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '\'') {
          quoted = false;
        } else {
          word.append(c);
        }
      } else if (c == '\'') {
        quoted = true;
        word = word == null ? new StringBuilder() : word;
      } else if (c == '\\' && i + 1 < line.length()) {
        word = word == null ? new StringBuilder() : word;
        word.append(line.charAt(++i));
      } else if (c == ' ') {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else {
        word = word == null ? new StringBuilder() : word;
        word.append(c);
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }

  @Override
  public void upload(byte[] content, String path, int mode) {}

  @Override
  public String home() {
    return HOME;
  }

  @Override
  public void mkdirs(String path) {}

  @Override
  public String describe() {
    return "fake:" + host.id;
  }

  @Override
  public void close() {
    provider.closed(host);
  }
}
