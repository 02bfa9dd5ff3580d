package dev.mayfly.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.testing.CliProcess;
import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.TinyService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many mayfly processes on one embedded registry at once, as a busy user (or a script) runs them.
 */
class ConcurrentCliIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int LAUNCHES = 8;

  @TempDir Path home;

  @AfterEach
  void terminateEverything() throws Exception {
    MayflyCli mayfly = new MayflyCli(home, home);
    if (Files.exists(mayfly.stateDir())) {
      for (JsonNode d : JSON.readTree(mayfly.run("list", "--output", "json").out())) {
        mayfly.run("terminate", d.get("id").asText());
      }
    }
  }

  @Test
  void eightLaunchesAndListsAtOnceAllSucceedWithTheirOwnIdsAndPorts() throws Exception {
    Path checkout = TinyService.write(home.resolve("checkout"));
    Map<String, String> env = new HashMap<>();
    env.put("HOME", home.toString());
    env.put("MAYFLY_HOME", home.resolve("state").toString());
    env.put("PATH", System.getenv("PATH"));
    Path logs = Files.createDirectories(home.resolve("logs"));

    List<Process> launches = new ArrayList<>();
    for (int i = 0; i < LAUNCHES; i++) {
      // no --name: mayfly picks the ids, so they must not collide either
      launches.add(
          CliProcess.start(
              env, checkout, logs.resolve("launch-" + i), "launch", "tiny", "--output", "json"));
    }
    int lists = 0;
    while (launches.stream().anyMatch(Process::isAlive)) {
      Path log = logs.resolve("list-" + lists++);
      MayflyCli.Result list =
          CliProcess.finish(CliProcess.start(env, checkout, log, "list"), log, 120);
      assertEquals(0, list.exit(), () -> "a list during the launches failed: " + list);
    }

    Set<String> ids = new HashSet<>();
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < LAUNCHES; i++) {
      MayflyCli.Result r = CliProcess.finish(launches.get(i), logs.resolve("launch-" + i), 300);
      assertEquals(0, r.exit(), "launch " + i + ": " + r);
      JsonNode launched = JSON.readTree(r.out());
      ids.add(launched.get("id").asText());
      ports.add(Integer.parseInt(launched.get("url").asText().replaceAll(".*:(\\d+)/?.*", "$1")));
    }
    assertEquals(LAUNCHES, ids.size(), "distinct ids: " + ids);
    assertEquals(LAUNCHES, ports.size(), "distinct ports: " + ports);
    assertTrue(lists > 0, "list ran while the launches did");

    JsonNode all =
        JSON.readTree(new MayflyCli(home, checkout).run("list", "--output", "json").out());
    assertEquals(LAUNCHES, all.size(), all::toString);
    all.forEach(d -> assertEquals("running", d.get("state").asText(), d::toString));
  }
}
