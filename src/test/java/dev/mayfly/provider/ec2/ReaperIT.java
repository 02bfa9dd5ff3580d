package dev.mayfly.provider.ec2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mayfly.bench.MotoServer;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.DeploymentState;
import dev.mayfly.store.Registry;
import dev.mayfly.testing.DemoCopy;
import dev.mayfly.testing.MayflyCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * {@code mayfly reap} against moto: orphans of a killed launch, expired and unknown deployments;
 * never anything else.
 */
class ReaperIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration LAUNCH_DEADLINE = Duration.ofSeconds(90);
  @RegisterExtension static final MotoWorld world = new MotoWorld();

  @TempDir Path home;

  private DemoCopy setUp() throws IOException {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    MotoWorld.writeCloudTarget(home, world.moto.endpoint(), "poll: 50ms", "terminate-timeout: 20s");
    return demo;
  }

  @Test
  void aLaunchKilledRightAfterRunInstancesLeavesTaggedInstancesThatReapEnds() throws Exception {
    DemoCopy demo = setUp();
    MayflyCli mayfly = new MayflyCli(home, demo.root());
    Process launch =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                KilledLaunch.class.getName(),
                home.toString(),
                mayfly.stateDir().toString(),
                demo.root().resolve("templates").toString(),
                "crashed",
                "2")
            .redirectErrorStream(true)
            .redirectOutput(home.resolve("launch.log").toFile())
            .start();
    try {
      long deadline = System.nanoTime() + LAUNCH_DEADLINE.toNanos();
      while (world.instances("crashed").size() < 2) {
        assertTrue(
            launch.isAlive(),
            () -> "the launch died by itself: " + read(home.resolve("launch.log")));
        assertTrue(
            System.nanoTime() < deadline,
            "no RunInstances within " + LAUNCH_DEADLINE.toSeconds() + "s");
        Thread.sleep(50);
      }
    } finally {
      launch.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
      launch.waitFor(30, TimeUnit.SECONDS);
    }
    assertEquals(2, world.live("crashed").size(), "the killed launch left its instances running");
    assertTrue(
        mayfly.run("list").out().contains("launching"),
        "and its registry row still says launching");

    MayflyCli.Result recent = mayfly.run("reap", "--output", "json");
    assertEquals(0, recent.exit(), recent::toString);
    assertEquals(
        0,
        JSON.readTree(recent.out()).size(),
        "a launch younger than --stale-launch is left alone");

    MayflyCli.Result dry =
        mayfly.run("reap", "--dry-run", "--stale-launch", "0s", "--output", "json");
    assertEquals(0, dry.exit(), dry::toString);
    JsonNode shown = JSON.readTree(dry.out());
    assertEquals(1, shown.size(), dry::toString);
    JsonNode finding = shown.get(0);
    assertEquals("cloud", finding.get("target").asText());
    assertEquals("crashed", finding.get("deployment").asText());
    assertEquals(2, finding.get("hosts").size());
    assertEquals("abandoned", finding.get("why").asText());
    assertFalse(finding.get("reaped").asBoolean());
    assertEquals(2, world.live("crashed").size(), "--dry-run ends nothing");

    MayflyCli.Result reap = mayfly.run("reap", "--stale-launch", "0s");
    assertEquals(0, reap.exit(), reap::toString);
    assertTrue(reap.out().contains("abandoned") && reap.out().contains("ended"), reap::toString);
    assertEquals(List.of(), world.live("crashed"));
    assertEquals(Set.of("terminated"), states("crashed"));
    JsonNode status = JSON.readTree(mayfly.run("status", "crashed", "--output", "json").out());
    assertTrue(status.toString().contains("\"reaped\""), status::toString);
    assertTrue(status.toString().contains("\"terminated\""), status::toString);
  }

  @Test
  void reapEndsExpiredUnknownAndTerminatedDeploymentsButNeverUntaggedOrLiveOnes() throws Exception {
    DemoCopy demo = setUp();
    MayflyCli mayfly = new MayflyCli(home, demo.root());
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Files.createDirectories(mayfly.stateDir());
    String self;
    try (Registry registry = Registry.open(mayfly.stateDir())) {
      self = registry.id();
      registry.insert(row("alive", "running", now.plus(1, ChronoUnit.DAYS)));
      registry.insert(row("overdue", "running", now.minus(1, ChronoUnit.HOURS)));
      registry.insert(row("ended", "terminated", now.plus(1, ChronoUnit.DAYS)));
    }
    String untagged = run(null, null);
    String foreign = run(Map.of("team", "payments"), null);
    String alive =
        run(
            Map.of("mayfly:deployment", "alive", "mayfly:registry", self),
            now.plus(1, ChronoUnit.DAYS));
    // the later of registry and tag counts while the registry knows it: both past here
    String overdue =
        run(
            Map.of("mayfly:deployment", "overdue", "mayfly:registry", self),
            now.minus(1, ChronoUnit.HOURS));
    String expiredByTag =
        run(
            Map.of("mayfly:deployment", "ghost-expired", "mayfly:registry", self),
            now.minus(5, ChronoUnit.MINUTES));
    String unknown =
        run(
            Map.of("mayfly:deployment", "ghost", "mayfly:registry", self),
            now.plus(1, ChronoUnit.DAYS));
    String leftover =
        run(
            Map.of("mayfly:deployment", "ended", "mayfly:registry", self),
            now.plus(1, ChronoUnit.DAYS));
    // another registry's deployment, long expired, and one made before registries had ids
    String theirs =
        run(
            Map.of("mayfly:deployment", "ghost", "mayfly:registry", "0123456789abcdef"),
            now.minus(1, ChronoUnit.DAYS));
    String legacy = run(Map.of("mayfly:deployment", "old"), now.minus(1, ChronoUnit.DAYS));

    MayflyCli.Result r = mayfly.run("reap", "--target", "cloud", "--output", "json");
    assertEquals(0, r.exit(), r::toString);
    Set<String> reasons = new TreeSet<>();
    Set<String> ended = new TreeSet<>();
    Set<String> leftAlone = new TreeSet<>();
    for (JsonNode f : JSON.readTree(r.out())) {
      if (f.get("leftAlone").asBoolean()) {
        assertFalse(f.get("reaped").asBoolean(), f::toString);
        // moto is shared by this class's tests: only this test's instances count here
        f.get("hosts")
            .forEach(
                h -> {
                  if (h.asText().equals(theirs) || h.asText().equals(legacy)) {
                    leftAlone.add(h.asText() + " " + f.get("why").asText());
                  }
                });
        continue;
      }
      assertTrue(f.get("reaped").asBoolean(), f::toString);
      for (JsonNode host : f.get("hosts")) {
        reasons.add(
            host.asText() + " " + f.get("deployment").asText() + " " + f.get("why").asText());
        ended.add(host.asText());
      }
    }
    assertEquals(
        new TreeSet<>(
            List.of(
                overdue + " overdue expired",
                expiredByTag + " ghost-expired expired",
                unknown + " ghost unknown",
                leftover + " ended terminated")),
        reasons);
    assertEquals(
        new TreeSet<>(
            List.of(
                theirs + " foreign (registry 0123456789abcdef)",
                legacy + " untagged (no registry id; `mayfly reap --adopt old` claims it)")),
        leftAlone);
    for (String id : List.of(untagged, foreign, alive, theirs, legacy)) {
      assertEquals("running", state(id), id + " was not this registry's to end");
    }
    MayflyCli.Result adopted =
        mayfly.run("reap", "--target", "cloud", "--adopt", "old", "--output", "json");
    assertEquals(0, adopted.exit(), adopted::toString);
    assertEquals("terminated", state(legacy), "adopted, its expired host is ended");
    assertEquals("running", state(theirs));
    for (String id : ended) {
      assertEquals("terminated", state(id));
    }
    assertTrue(
        mayfly
            .run("list", "--all")
            .out()
            .lines()
            .anyMatch(l -> l.startsWith("overdue") && l.contains("terminated")));
  }

  private static DeploymentRow row(String id, String state, Instant expires) {
    return new DeploymentRow(
        id,
        "qa-results",
        "cloud",
        DeploymentState.of(state),
        Map.of(),
        "{}",
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Instant.now().minus(2, ChronoUnit.DAYS),
        Optional.of(expires),
        0);
  }

  /**
   * One instance started directly (not by mayfly) with these tags, plus mayfly:expires-at when
   * given.
   */
  private static String run(Map<String, String> tags, Instant expires) {
    List<Tag> list = new ArrayList<>();
    if (tags != null) {
      tags.forEach((k, v) -> list.add(Tag.builder().key(k).value(v).build()));
    }
    if (expires != null) {
      list.add(Tag.builder().key("mayfly:expires-at").value(expires.toString()).build());
    }
    return world
        .observer
        .runInstances(
            r -> {
              r.imageId(MotoServer.IMAGE).minCount(1).maxCount(1);
              if (!list.isEmpty()) {
                r.tagSpecifications(
                    TagSpecification.builder()
                        .resourceType(ResourceType.INSTANCE)
                        .tags(list)
                        .build());
              }
            })
        .instances()
        .get(0)
        .instanceId();
  }

  private static String state(String instanceId) {
    return world
        .observer
        .describeInstances(r -> r.instanceIds(instanceId))
        .reservations()
        .get(0)
        .instances()
        .get(0)
        .state()
        .nameAsString();
  }

  private static Set<String> states(String deploymentId) {
    return new TreeSet<>(
        world.instances(deploymentId).stream()
            .map(Instance::state)
            .map(s -> s.nameAsString())
            .toList());
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(no log)";
    }
  }
}
