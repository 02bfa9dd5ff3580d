package dev.mayfly.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Runs mayfly's command line in-process against one state folder, the way a user would type it. */
public final class MayflyCli {
  private final Map<String, String> env = new HashMap<>();
  private final Path cwd;

  public MayflyCli(Path home, Path cwd) {
    this.cwd = cwd;
    env.put("HOME", home.toString());
    env.put("MAYFLY_HOME", home.resolve("state").toString());
    env.put("PATH", System.getenv("PATH"));
    env.put("TERM", "dumb");
  }

  public MayflyCli env(String name, String value) {
    env.put(name, value);
    return this;
  }

  public Path stateDir() {
    return Path.of(env.get("MAYFLY_HOME"));
  }

  /** The environment a mayfly process of this state folder gets (home, state folder, PATH). */
  public Map<String, String> processEnv() {
    return Map.copyOf(env);
  }

  /**
   * {@code mayfly args...} as its own process, from this working folder; its output goes to files
   * beside {@code log} ({@link CliProcess#start}).
   */
  public Process start(Path log, String... args) {
    return CliProcess.start(processEnv(), cwd, log, args);
  }

  public Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(args, env, cwd, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(exit, out.toString(), err.toString());
  }

  /**
   * Terminates every deployment of this state folder that is not terminated yet, so no service a
   * test started is left running whatever the test did; nothing when there is no state folder.
   */
  public void terminateAll() throws IOException {
    if (!Files.exists(stateDir())) {
      return;
    }
    for (JsonNode d : new ObjectMapper().readTree(run("list", "--all", "--output", "json").out())) {
      if (!d.get("state").asText().equals("terminated")) {
        run("terminate", d.get("id").asText());
      }
    }
  }

  public record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
    }
  }
}
