package dev.mayfly.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.TinyService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `list` after real launches on the local target: what it hides, marks and remembers. */
class ListingIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path home;
  Path root;
  MayflyCli mayfly;

  @BeforeEach
  void tinyService() {
    root = TinyService.write(home.resolve("work"));
    mayfly = new MayflyCli(home, root);
  }

  @AfterEach
  void terminateEverything() throws Exception {
    for (JsonNode d : JSON.readTree(mayfly.run("list", "--all", "--output", "json").out())) {
      if (!d.get("state").asText().equals("terminated")) {
        mayfly.run("terminate", d.get("id").asText());
      }
    }
  }

  private MayflyCli.Result ok(String... args) {
    MayflyCli.Result r = mayfly.run(args);
    assertEquals(0, r.exit(), r::toString);
    return r;
  }

  private List<String> ids(String... args) throws Exception {
    List<String> ids = new ArrayList<>();
    JSON.readTree(ok(args).out()).forEach(d -> ids.add(d.get("id").asText()));
    return ids;
  }

  @Test
  void terminatedDeploymentsAreHiddenUntilAllAndPruneFreesTheirNames() throws Exception {
    ok("launch", "tiny", "--name", "gone", "--expires", "1h");
    ok("terminate", "gone");
    assertTrue(
        ok("list")
            .err()
            .contains(
                "no live deployments; 1 terminated (`mayfly list --all` shows them, `mayfly prune`"
                    + " forgets them)"),
        "an empty table says what it hides");
    ok("launch", "tiny", "--name", "live", "--expires", "1h");

    assertEquals(List.of("live"), ids("list", "--output", "json"));
    assertFalse(ok("list").out().contains("gone"), "the table hides it too");
    assertEquals(List.of("live", "gone"), ids("list", "--all", "--output", "json"));
    String goneRow =
        ok("list", "--all")
            .out()
            .lines()
            .filter(l -> l.startsWith("gone "))
            .findFirst()
            .orElseThrow();
    assertFalse(goneRow.contains("http://"), "a terminated row shows no dead URL: " + goneRow);

    MayflyCli.Result taken = mayfly.run("launch", "tiny", "--name", "gone");
    assertEquals(2, taken.exit(), taken::toString);
    assertEquals(
        "mayfly: --name: a deployment named 'gone' exists already (terminated: `mayfly prune"
            + " --older-than 0s` forgets it)\n",
        taken.err());

    MayflyCli.Result recent = ok("prune");
    assertEquals("", recent.out(), "ended seconds ago: younger than the default 7d");
    assertTrue(recent.err().contains("nothing to prune"), recent.err());

    MayflyCli.Result dry = ok("prune", "--older-than", "0s", "--dry-run");
    assertEquals("gone\n", dry.out());
    assertEquals(List.of("live", "gone"), ids("list", "--all", "--output", "json"));

    Path logs = mayfly.stateDir().resolve("logs/gone");
    assertTrue(Files.isDirectory(logs), "terminate keeps the logs");
    MayflyCli.Result pruned = ok("prune", "--older-than", "0s");
    assertEquals("gone\n", pruned.out());
    assertTrue(pruned.err().contains("1 terminated deployment(s) forgotten"), pruned.err());
    assertFalse(Files.exists(logs), "prune removes them");
    assertEquals(List.of("live"), ids("list", "--all", "--output", "json"));
    assertEquals(3, mayfly.run("status", "gone").exit(), "its history is gone");

    ok("launch", "tiny", "--name", "gone", "--expires", "1h");
    assertEquals(List.of("gone", "live"), ids("list", "--output", "json"));
  }

  @Test
  void aManualSyncThatPublishedShowsAsLastSyncAndNoDaemonIsSaidOnceAndMarked() throws Exception {
    MayflyCli.Result launch = ok("launch", "tiny", "--name", "fresh", "--sync", "0 1 * * *");
    assertTrue(
        launch
            .err()
            .contains("note: `mayfly daemon` runs scheduled syncs (0 1 * * *) and expiry ("),
        launch.err());
    assertTrue(launch.err().contains("none is running for this registry now\n"), launch.err());
    assertEquals(1, launch.err().split("mayfly daemon", -1).length - 1, "said once");

    MayflyCli.Result before = ok("list");
    assertTrue(before.out().contains(" (no daemon)"), before.out());
    assertTrue(before.err().contains("no `mayfly daemon` is running"), before.err());
    assertEquals(
        false,
        JSON.readTree(ok("list", "--output", "json").out())
            .get(0)
            .get("daemonServing")
            .asBoolean());
    JsonNode row = JSON.readTree(ok("list", "--output", "json").out()).get(0);
    assertTrue(row.get("lastSyncAt").isNull(), row::toString);

    Files.writeString(root.resolve("apps/tiny/data/greeting.txt"), "hello again\n");
    ok("sync", "fresh");
    row = JSON.readTree(ok("list", "--output", "json").out()).get(0);
    assertFalse(row.get("lastSyncAt").isNull(), row::toString);
    assertTrue(row.get("lastSyncResult").asText().startsWith("published "), row::toString);
    String table = ok("list").out();
    assertTrue(table.matches("(?s).*\\bupdated \\d+s ago.*"), table);

    ok("sync", "fresh");
    row = JSON.readTree(ok("list", "--output", "json").out()).get(0);
    assertEquals("unchanged", row.get("lastSyncResult").asText(), row::toString);
  }
}
