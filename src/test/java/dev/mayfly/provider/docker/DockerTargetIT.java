package dev.mayfly.provider.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerPort;
import dev.mayfly.schedule.DaemonProcess;
import dev.mayfly.testing.DemoCopy;
import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.MayflyProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code docker} target against this machine's real dockerd and the default host image (built
 * by the project's script when missing): the demo on two containers, a secret that stays in the
 * 0600 env file inside them, sync, terminate and reap leaving nothing labelled, and other people's
 * containers left alone. Every check goes through the test's own Engine API client.
 */
@Tag("docker")
class DockerTargetIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** docker-java's models hold empty marker objects ({@code ExposedPorts}) Jackson must allow. */
  private static final ObjectMapper MODELS =
      new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private static final String FOREIGN_REGISTRY = "ffffffffffffffff";

  @TempDir Path home;
  private DockerPeer docker;
  private DemoCopy demo;
  private MayflyCli mayfly;
  private String registry;

  /** Labels every foreign thing this test makes, so it removes them all afterwards. */
  private final String testLabel = "mayfly-test=" + UUID.randomUUID();

  @BeforeEach
  void engineAndHostImage() throws Exception {
    docker = DockerPeer.require();
    demo = new DemoCopy(home.resolve("checkout"));
    mayfly = new MayflyCli(home, demo.root());
    MayflyCli.Result info = mayfly.run("info", "--output", "json");
    assertEquals(0, info.exit(), info::toString);
    registry = JSON.readTree(info.out()).get("registry").asText();
  }

  @AfterEach
  void removeWhatTheTestMade() throws IOException {
    if (docker != null) {
      if (registry != null) {
        docker.removeAll(DockerLabels.REGISTRY + "=" + registry);
      }
      docker.removeAll(testLabel);
      docker.close();
    }
  }

  @Test
  void demoOnTwoContainersServesEachPageKeepsTheSecretInsideSyncsAndTerminateLeavesNothing()
      throws Exception {
    String secret = "s3cr3t-" + UUID.randomUUID();
    demo.templateVariant(
        "qa-docker",
        Files.readString(demo.template())
            .replace("name: qa-results", "name: qa-docker")
            .replace(
                "params:\n", "params:\n  admin_token:\n    secret: true\n    required: true\n"));
    Path paramFile = home.resolve("secret.env");
    Files.writeString(paramFile, "admin_token=" + secret + "\n");
    Files.setPosixFilePermissions(paramFile, PosixFilePermissions.fromString("rw-------"));
    // another registry's container of the same deployment id: never this registry's to end
    String foreign = foreignContainer("shared", FOREIGN_REGISTRY);

    MayflyCli.Result launch =
        mayfly.run(
            "launch",
            "qa-docker",
            "--target",
            "docker",
            "-n",
            "2",
            "--name",
            "shared",
            "--param-file",
            paramFile.toString());
    assertEquals(0, launch.exit(), launch::toString);
    assertFalse(launch.toString().contains(secret), "the secret is never printed");
    assertFalse(
        Files.exists(mayfly.stateDir().resolve("keys/shared")),
        "no SSH key: containers are reached through exec");

    String[] mine = {DockerLabels.REGISTRY + "=" + registry, DockerLabels.DEPLOYMENT + "=shared"};
    List<Container> containers = docker.containers(mine);
    assertEquals(2, containers.size(), "two containers with this registry's labels");
    for (Container c : containers) {
      assertEquals("qa-docker", c.getLabels().get(DockerLabels.TEMPLATE));
      Instant expires = Instant.parse(c.getLabels().get(DockerLabels.EXPIRES));
      assertTrue(
          expires.isAfter(Instant.now().plus(Duration.ofDays(6))), "expiry label: " + expires);
      for (ContainerPort p : c.getPorts()) {
        assertEquals("127.0.0.1", p.getIp(), "ports are published on loopback only");
      }
    }
    assertEquals(2, docker.volumes(mine).size(), "a labelled volume per container");
    assertEquals(1, docker.networks(mine).size(), "a labelled network for the deployment");

    JsonNode status = status("shared");
    List<String> urls = new ArrayList<>();
    for (JsonNode host : status.get("hostDetails")) {
      assertEquals("127.0.0.1", host.get("address").asText());
      urls.add("http://127.0.0.1:" + host.get("ports").get("http").asInt() + "/");
    }
    assertEquals(2, urls.size());
    assertNotEquals(urls.get(0), urls.get(1), "each container has its own host port");
    for (String url : urls) {
      String page = get(url);
      assertTrue(page.contains("Nightly QA results") && page.contains("4 runs"), page);
    }

    // the secret: in the 0600 env file inside each container, and nowhere the engine shows
    for (Container c : containers) {
      String env = "/root/.mayfly/shared/mayfly.env";
      assertEquals("600", docker.exec(c.getId(), "stat -c %a " + env).strip());
      assertTrue(docker.exec(c.getId(), "cat " + env).contains(secret), "the env file has it");
      InspectContainerResponse inspect = docker.client.inspectContainerCmd(c.getId()).exec();
      String shown = MODELS.writeValueAsString(inspect);
      assertTrue(shown.contains(DockerLabels.DEPLOYMENT), "the inspect JSON has the labels");
      for (String variable : inspect.getConfig().getEnv()) {
        assertFalse(variable.startsWith("MAYFLY_"), "parameters stay out of the environment");
      }
      assertFalse(shown.contains(secret), "docker inspect (env, labels, command) shows no secret");
      assertFalse(
          MODELS
              .writeValueAsString(docker.client.inspectImageCmd(inspect.getImageId()).exec())
              .contains(secret),
          "the image's config shows no secret");
    }
    assertFalse(imageLayersContain(DockerPeer.IMAGE, secret), "no image layer holds the secret");

    // sync publishes a new data commit on both containers
    Path runs = demo.dataDir().resolve("runs");
    Files.copy(runs.resolve("2026-11-21-nightly.json"), runs.resolve("2026-11-22-nightly.json"));
    MayflyCli.Result sync = mayfly.run("sync", "shared");
    assertEquals(0, sync.exit(), sync::toString);
    JsonNode synced = status("shared");
    assertNotEquals(status.get("dataCommit").asText(), synced.get("dataCommit").asText());
    for (JsonNode host : synced.get("hostDetails")) {
      assertEquals(synced.get("dataCommit").asText(), host.get("dataCommit").asText());
    }
    for (String url : urls) {
      assertTrue(get(url).contains("5 runs"), "the new data is served at " + url);
    }

    // rollback switches both back to the release before; extend moves the registry's expiry
    MayflyCli.Result rollback = mayfly.run("rollback", "shared");
    assertEquals(0, rollback.exit(), rollback::toString);
    for (String url : urls) {
      assertTrue(get(url).contains("4 runs"), "the earlier data is served again at " + url);
    }
    MayflyCli.Result extend = mayfly.run("extend", "shared", "--by", "1d");
    assertEquals(0, extend.exit(), extend::toString);

    List<Path> mountpoints =
        docker.volumes(mine).stream().map(v -> Path.of(v.getMountpoint())).toList();
    assertTrue(Files.isDirectory(mountpoints.get(0)), "volumes live at " + mountpoints);

    MayflyCli.Result terminate = mayfly.run("terminate", "shared");
    assertEquals(0, terminate.exit(), terminate::toString);
    assertEquals(List.of(), docker.containers(mine), "no container left");
    assertEquals(List.of(), docker.volumes(mine), "no volume left");
    assertEquals(List.of(), docker.networks(mine), "no network left");
    for (Path mountpoint : mountpoints) {
      assertFalse(Files.exists(mountpoint.getParent()), mountpoint + " is gone from the disk");
    }
    assertTrue(running(foreign), "another registry's container of the same id still runs");
  }

  @Test
  void threeContainersTakeLogsACommandOnOneHostRestartUpgradeAndRecycle() throws Exception {
    MayflyCli.Result launch =
        mayfly.run("launch", "qa-results", "--target", "docker", "-n", "3", "--name", "trio");
    assertEquals(0, launch.exit(), launch::toString);
    String[] mine = {DockerLabels.REGISTRY + "=" + registry, DockerLabels.DEPLOYMENT + "=trio"};
    assertEquals(3, docker.containers(mine).size(), "three containers");
    Map<String, String> containerOf = new java.util.TreeMap<>();
    Map<String, String> urlOf = new java.util.TreeMap<>();
    for (JsonNode host : status("trio").get("hostDetails")) {
      int port = host.get("ports").get("http").asInt();
      urlOf.put(host.get("id").asText(), "http://127.0.0.1:" + port + "/");
      containerOf.put(host.get("id").asText(), containerPublishing(mine, port));
    }
    List<String> ids = List.copyOf(urlOf.keySet());
    assertEquals(3, ids.size(), ids::toString);
    String third = ids.get(2);
    for (String url : urlOf.values()) {
      assertTrue(get(url).contains("4 runs"), url);
    }

    MayflyCli.Result logs = mayfly.run("logs", "trio", "-n", "1");
    assertEquals(0, logs.exit(), logs::toString);
    for (String host : urlOf.keySet()) {
      assertTrue(logs.out().contains(host + " | "), "a line from " + host + ": " + logs);
    }

    // a command runs in one host's root with mayfly.env loaded, in that host's container only
    MayflyCli.Result command =
        mayfly.run("ssh", "trio", "--host", third, "--", "touch ran-here; echo $MAYFLY_PORT_HTTP");
    assertEquals(0, command.exit(), command::toString);
    assertEquals(
        urlOf.get(third), "http://127.0.0.1:" + command.out().strip() + "/", command::toString);
    for (Map.Entry<String, String> c : containerOf.entrySet()) {
      String found = docker.exec(c.getValue(), "ls /root/.mayfly/trio/ran-here 2>&1 || true");
      assertEquals(c.getKey().equals(third), !found.contains("No such file"), c + ": " + found);
    }
    MayflyCli.Result interactive = mayfly.run("ssh", "trio", "--host", ids.get(0));
    assertEquals(1, interactive.exit(), interactive::toString);
    assertEquals(
        "mayfly: "
            + ids.get(0)
            + ": target docker gives no interactive shell; give a COMMAND after --",
        interactive.err().strip(),
        interactive::toString);

    MayflyCli.Result restart = mayfly.run("restart", "trio", "--output", "json");
    assertEquals(0, restart.exit(), restart::toString);
    assertEquals(3, JSON.readTree(restart.out()).get("updated").size(), restart::toString);

    // upgrade --template applies the edited install on every container
    Files.writeString(
        demo.template(),
        Files.readString(demo.template())
            .replace("./install.sh --title {{title}}", "./install.sh --title 'Upgraded QA'"));
    MayflyCli.Result upgrade = mayfly.run("upgrade", "trio", "--template");
    assertEquals(0, upgrade.exit(), upgrade::toString);
    for (String url : urlOf.values()) {
      assertTrue(get(url).contains("Upgraded QA"), "the upgraded install serves at " + url);
    }

    // recycle rebuilds each container's deployment in a new root, on the same published port
    Path runs = demo.dataDir().resolve("runs");
    Files.copy(runs.resolve("2026-11-21-nightly.json"), runs.resolve("2026-11-22-nightly.json"));
    MayflyCli.Result recycle = mayfly.run("recycle", "trio");
    assertEquals(0, recycle.exit(), recycle::toString);
    for (JsonNode host : status("trio").get("hostDetails")) {
      assertTrue(host.get("root").asText().endsWith("/trio.r2"), host::toString);
      assertTrue(get(urlOf.get(host.get("id").asText())).contains("5 runs"), host::toString);
    }

    assertEquals(0, mayfly.run("terminate", "trio").exit());
    assertEquals(List.of(), docker.containers(mine), "no container left");
  }

  @Test
  void theDaemonEndsTheContainersOfADeploymentThatExpired() throws Exception {
    MayflyCli.Result launch =
        mayfly.run("launch", "qa-results", "--target", "docker", "--name", "brief");
    assertEquals(0, launch.exit(), launch::toString);
    String[] mine = {DockerLabels.REGISTRY + "=" + registry, DockerLabels.DEPLOYMENT + "=brief"};
    assertEquals(1, docker.containers(mine).size());
    MayflyCli.Result extend = mayfly.run("extend", "brief", "--until", "1s");
    assertEquals(0, extend.exit(), extend::toString);

    try (DaemonProcess daemon =
        DaemonProcess.start(
            mayfly.processEnv(),
            home.resolve("daemon.log"),
            DaemonProcess.FAST.toArray(String[]::new))) {
      daemon.awaitLog("expired brief", Duration.ofSeconds(90));
    }
    assertEquals("terminated", status("brief").get("state").asText());
    assertEquals(List.of(), docker.containers(mine), "no container left");
    assertEquals(List.of(), docker.volumes(mine), "no volume left");
    assertEquals(List.of(), docker.networks(mine), "no network left");
  }

  @Test
  void launcherKilledMidBootstrapThenReapLeavesNothing() throws Exception {
    demo.templateVariant(
        "slow-install",
        Files.readString(demo.template())
            .replace("name: qa-results", "name: slow-install")
            .replace(
                "install: ./install.sh --title {{title}}", "install: echo installing; sleep 300"));
    String[] mine = {DockerLabels.REGISTRY + "=" + registry, DockerLabels.DEPLOYMENT + "=cut"};
    try (MayflyProcess launch =
        MayflyProcess.start(
            home,
            demo.root(),
            "launch",
            "slow-install",
            "--target",
            "docker",
            "-n",
            "2",
            "--name",
            "cut")) {
      launch.await(
          "two installers sleeping in their containers",
          Duration.ofMinutes(3),
          () -> sleepingInstallers(mine) == 2);
      launch.signal("KILL");
      assertEquals(137, launch.exit(Duration.ofSeconds(30)));
    }
    assertEquals(2, docker.containers(mine).size(), "the killed launch left its containers");

    MayflyCli.Result reap = mayfly.run("reap", "--stale-launch", "0s");
    assertEquals(0, reap.exit(), reap::toString);
    assertTrue(reap.out().contains("abandoned"), reap::toString);
    assertEquals(List.of(), docker.containers(mine), "no container left");
    assertEquals(List.of(), docker.volumes(mine), "no volume left");
    assertEquals(List.of(), docker.networks(mine), "no network left");
  }

  @Test
  void reapNeverTouchesContainersWithoutMayflyLabelsOrOfAnotherRegistry() throws Exception {
    String unlabelled = foreignContainer(null, null);
    String otherRegistry = foreignContainer("ghost", FOREIGN_REGISTRY);
    docker
        .client
        .createNetworkCmd()
        .withName("mayfly-ffffffff-ghost")
        .withLabels(labels("ghost", FOREIGN_REGISTRY))
        .exec();

    MayflyCli.Result reap = mayfly.run("reap", "--stale-launch", "0s", "--grace", "0s");
    assertEquals(0, reap.exit(), reap::toString);
    assertTrue(reap.out().contains("foreign (registry " + FOREIGN_REGISTRY + ")"), reap::toString);
    assertTrue(running(unlabelled), "a container without mayfly's labels still runs");
    assertTrue(running(otherRegistry), "another registry's expired container still runs");
    assertEquals(
        1,
        docker.networks(DockerLabels.REGISTRY + "=" + FOREIGN_REGISTRY, testLabel).size(),
        "another registry's network is still there");
  }

  @Test
  void aMissingImageOrAnImageThereAlreadyIsSaidInOneLine() throws Exception {
    Path targets = home.resolve("targets.yaml");
    String absent = "mayfly/host:absent-" + UUID.randomUUID();
    Files.writeString(
        targets, "targets:\n  box:\n    provider: docker\n    image: " + absent + "\n");
    MayflyCli box = new MayflyCli(home, demo.root()).env("MAYFLY_TARGETS", targets.toString());

    MayflyCli.Result launch = box.run("launch", "qa-results", "--target", "box", "--name", "noimg");
    assertEquals(1, launch.exit(), launch::toString);
    assertEquals(
        "mayfly: target 'box': host image "
            + absent
            + " is not on the Docker engine (mayfly never pulls one); build it with: mayfly docker"
            + " build-host-image --target box",
        launch.err().strip(),
        launch::toString);
    assertEquals(
        List.of(), docker.networks(DockerLabels.REGISTRY + "=" + registry), "nothing was made");

    // the default image exists (DockerPeer made sure): the command says so and builds nothing
    MayflyCli.Result build = mayfly.run("docker", "build-host-image");
    assertEquals(0, build.exit(), build::toString);
    assertEquals(
        "host image mayfly/host:debian is there already; nothing to build", build.err().strip());
  }

  @Test
  void shellOverExecStreamsOutputReturnsExitCodesWritesFilesAndKillsACommandThatTimesOut()
      throws Exception {
    String container = foreignContainer(null, null);
    try (DockerEngine engine =
            DockerEngine.connect(DockerSettings.parse("docker", Map.of(), Map.of()));
        DockerShell shell = new DockerShell(engine, container)) {
      List<String> lines = new ArrayList<>();
      assertEquals(
          3,
          shell
              .exec("echo out; echo err >&2; exit 3", Duration.ofSeconds(60), lines::add)
              .exitCode());
      assertEquals(List.of("err", "out"), lines.stream().sorted().toList());

      shell.upload("only root reads this".getBytes(StandardCharsets.UTF_8), "/tmp/private", 0600);
      assertEquals(
          "600 only root reads this",
          docker.exec(container, "stat -c %a /tmp/private | tr '\\n' ' '; cat /tmp/private"));

      // the command and what it started in the background: the whole group ends at the timeout
      assertTrue(shell.exec("sleep 301 & sleep 302", Duration.ofSeconds(2), line -> {}).timedOut());
      assertEquals(
          "0",
          docker
              .exec(
                  container,
                  "for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done"
                      + " | grep -c '^sleep 30[12]' || true")
              .strip());
    }
  }

  /**
   * A running container from the host image that mayfly did not make: without mayfly's labels when
   * {@code deployment} is null, else with another registry's, expired an hour ago.
   */
  private String foreignContainer(String deployment, String registryId) {
    String id =
        docker
            .client
            .createContainerCmd(DockerPeer.IMAGE)
            .withName("mayfly-test-" + UUID.randomUUID())
            .withLabels(labels(deployment, registryId))
            .withEntrypoint("sleep", "infinity")
            .exec()
            .getId();
    docker.client.startContainerCmd(id).exec();
    return id;
  }

  private Map<String, String> labels(String deployment, String registryId) {
    String[] test = testLabel.split("=", 2);
    if (deployment == null) {
      return Map.of(test[0], test[1]);
    }
    return Map.of(
        test[0],
        test[1],
        DockerLabels.DEPLOYMENT,
        deployment,
        DockerLabels.REGISTRY,
        registryId,
        DockerLabels.EXPIRES,
        Instant.now().minus(Duration.ofHours(1)).toString());
  }

  /** The id of the deployment's container that publishes {@code hostPort}. */
  private String containerPublishing(String[] labels, int hostPort) {
    for (Container c : docker.containers(labels)) {
      for (ContainerPort p : c.getPorts()) {
        if (p.getPublicPort() != null && p.getPublicPort() == hostPort) {
          return c.getId();
        }
      }
    }
    throw new AssertionError("no container publishes port " + hostPort);
  }

  private boolean running(String container) {
    return Boolean.TRUE.equals(
        docker.client.inspectContainerCmd(container).exec().getState().getRunning());
  }

  /** How many of the deployment's containers run the slow installer's {@code sleep 300}. */
  private int sleepingInstallers(String[] labels) {
    int n = 0;
    for (Container c : docker.containers(labels)) {
      try {
        String found =
            docker.exec(
                c.getId(),
                "for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done"
                    + " | grep -c '^sleep 300' || true");
        n += found.strip().equals("0") || found.isBlank() ? 0 : 1;
      } catch (RuntimeException e) {
        // the container is not running yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return n;
      }
    }
    return n;
  }

  /** True when the saved image (every layer, as {@code docker save} writes it) holds the text. */
  private boolean imageLayersContain(String image, String text) throws IOException {
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    byte[] buffer = new byte[1 << 20];
    byte[] carry = new byte[0];
    long total = 0;
    try (InputStream in = docker.client.saveImageCmd(image).exec()) {
      int read;
      while ((read = in.read(buffer)) > 0) {
        total += read;
        byte[] window = new byte[carry.length + read];
        System.arraycopy(carry, 0, window, 0, carry.length);
        System.arraycopy(buffer, 0, window, carry.length, read);
        if (indexOf(window, needle) >= 0) {
          return true;
        }
        int keep = Math.min(window.length, needle.length - 1);
        carry = java.util.Arrays.copyOfRange(window, window.length - keep, window.length);
      }
    }
    assertTrue(total > 10_000_000, "the saved image is the whole image: " + total + " bytes");
    return false;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private JsonNode status(String id) throws IOException {
    MayflyCli.Result status = mayfly.run("status", id, "--output", "json");
    assertEquals(0, status.exit(), status::toString);
    return JSON.readTree(status.out());
  }

  private static String get(String url) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), url);
    return response.body();
  }
}
