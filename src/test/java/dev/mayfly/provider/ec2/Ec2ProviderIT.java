package dev.mayfly.provider.ec2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.MayflyException;
import dev.mayfly.bench.MotoServer;
import dev.mayfly.host.LocalShell;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.LaunchRequest;
import dev.mayfly.provider.OwnedHost;
import dev.mayfly.provider.Provider;
import dev.mayfly.store.Registry;
import dev.mayfly.target.Target;
import dev.mayfly.target.Targets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceAttributeName;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.Volume;

/**
 * The EC2 provider against a real moto_server: what it creates, how it waits, how it ends things.
 */
class Ec2ProviderIT {
  @RegisterExtension static final MotoWorld world = new MotoWorld();

  @TempDir Path home;
  private Registry registry;

  @BeforeEach
  void openRegistry() throws Exception {
    registry = Registry.open(Files.createDirectories(home.resolve("state")));
  }

  @AfterEach
  void closeRegistry() {
    registry.close();
  }

  private Provider provider(Ec2ProviderFactory factory) {
    return provider(factory, world.settings(home));
  }

  private Provider provider(Ec2ProviderFactory factory, Map<String, String> settings) {
    return factory.create(MotoWorld.context(registry, home.resolve("state"), settings));
  }

  private String name(String deploymentId) {
    return MotoWorld.resourceName(registry, deploymentId);
  }

  private static LaunchRequest request(String id, int count, Instant expires) {
    return new LaunchRequest(id, "qa-results", count, Map.of("http", 8080), expires, Map.of());
  }

  @Test
  void launchOfThreeTagsInstancesAndVolumesAndMakesThemTerminateOnShutdown() {
    Instant expires = Instant.now().plus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    List<Host> hosts;
    try (Provider ec2 = provider(new Ec2ProviderFactory(world.wiring()))) {
      hosts = ec2.launch(request("tagged-three", 3, expires)).hosts();
    }
    assertEquals(3, hosts.size());
    List<Instance> instances = world.live("tagged-three");
    assertEquals(3, instances.size());
    assertEquals(
        1,
        instances.stream().map(Instance::clientToken).distinct().count(),
        "one RunInstances for all");
    for (Instance i : instances) {
      Map<String, String> tags = tags(i.tags());
      assertEquals("tagged-three", tags.get("mayfly:deployment"));
      assertEquals(registry.id(), tags.get("mayfly:registry"));
      assertEquals("qa-results", tags.get("mayfly:template"));
      assertEquals(expires.toString(), tags.get("mayfly:expires-at"));
      assertEquals("tagged-three", tags.get("Name"));
      assertEquals(MotoServer.IMAGE, i.imageId());
      assertEquals("t3.micro", i.instanceTypeAsString());
      assertEquals(name("tagged-three"), i.keyName());
      assertEquals(
          "terminate",
          world
              .observer
              .describeInstanceAttribute(
                  r ->
                      r.instanceId(i.instanceId())
                          .attribute(InstanceAttributeName.INSTANCE_INITIATED_SHUTDOWN_BEHAVIOR))
              .instanceInitiatedShutdownBehavior()
              .value());
      String userData =
          new String(
              Base64.getDecoder()
                  .decode(
                      world
                          .observer
                          .describeInstanceAttribute(
                              r ->
                                  r.instanceId(i.instanceId())
                                      .attribute(InstanceAttributeName.USER_DATA))
                          .userData()
                          .value()),
              StandardCharsets.UTF_8);
      assertTrue(
          userData.contains("mayfly-failsafe arm " + expires.getEpochSecond() + " 3600"), userData);
      assertTrue(userData.contains("/usr/local/sbin/mayfly-failsafe install"), userData);
      for (var mapping : i.blockDeviceMappings()) {
        Volume volume =
            world
                .observer
                .describeVolumes(r -> r.volumeIds(mapping.ebs().volumeId()))
                .volumes()
                .get(0);
        assertEquals(
            "tagged-three",
            tags(volume.tags()).get("mayfly:deployment"),
            "volume " + volume.volumeId());
        assertEquals(expires.toString(), tags(volume.tags()).get("mayfly:expires-at"));
        assertEquals(registry.id(), tags(volume.tags()).get("mayfly:registry"));
      }
    }
    SecurityGroup group =
        world
            .observer
            .describeSecurityGroups(
                r ->
                    r.filters(
                        Filter.builder().name("group-name").values(name("tagged-three")).build()))
            .securityGroups()
            .get(0);
    assertEquals(
        Set.of(22, 8080),
        group.ipPermissions().stream().map(IpPermission::fromPort).collect(Collectors.toSet()),
        "only the template's ports and ssh are open");
    assertEquals(
        Set.of(group.groupId()),
        instances.stream()
            .flatMap(i -> i.securityGroups().stream())
            .map(g -> g.groupId())
            .collect(Collectors.toSet()));
    assertEquals(
        1,
        world.observer.describeKeyPairs(r -> r.keyNames(name("tagged-three"))).keyPairs().size());
  }

  @Test
  void everyRunInstancesCarriesTheDeploymentTokenAndARepeatedLaunchAdoptsTaggedInstances() {
    List<String> tokens = Collections.synchronizedList(new ArrayList<>());
    ExecutionInterceptor seeTokens =
        new ExecutionInterceptor() {
          @Override
          public void beforeExecution(
              Context.BeforeExecution context, ExecutionAttributes attributes) {
            if (context.request() instanceof RunInstancesRequest run) {
              tokens.add(String.valueOf(run.clientToken()));
            }
          }
        };
    Ec2ProviderFactory factory = new Ec2ProviderFactory(world.wiring(), List.of(seeTokens));
    Instant expires = Instant.now().plus(1, ChronoUnit.DAYS);
    List<Host> first;
    List<Host> again;
    try (Provider ec2 = provider(factory)) {
      first = ec2.launch(request("retried", 3, expires)).hosts();
    }
    try (Provider ec2 = provider(factory)) {
      again = ec2.launch(request("retried", 3, expires)).hosts();
    }
    assertEquals(
        List.of(name("retried")), tokens, "one RunInstances, with the token of the deployment");
    assertEquals(ids(first), ids(again), "the retry adopted the instances the first launch made");
    assertEquals(3, world.live("retried").size());
  }

  @Test
  void waitingPollsOnceARoundForAllInstancesAndStopsAtTheSshTimeoutLeavingNothingBehind()
      throws Exception {
    List<Integer> callsPerRound = Collections.synchronizedList(new ArrayList<>());
    Ec2Wiring.ApiListener listener =
        new Ec2Wiring.ApiListener() {
          @Override
          public void pollRound(String waitName, int apiCalls) {
            callsPerRound.add(apiCalls);
          }
        };
    int closedPort = MotoServer.freePort();
    Ec2Wiring unreachable =
        world
            .wiring()
            .withListener(listener)
            .withResolver((id, address) -> new Ec2Wiring.Reach(MotoServer.HOST, closedPort));
    Map<String, String> settings = world.settings(home);
    settings.put("ssh-timeout", "1s");
    settings.put("poll", "200ms");
    MayflyException e;
    try (Provider ec2 = provider(new Ec2ProviderFactory(unreachable), settings)) {
      e =
          assertThrows(
              MayflyException.class,
              () -> ec2.launch(request("no-sshd", 4, Instant.now().plusSeconds(3600))));
    }
    assertTrue(e.getMessage().contains("\"ssh port open\" not reached within 1s"), e.getMessage());
    assertTrue(e.getMessage().contains("nothing of no-sshd was left running"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
    assertEquals(List.of(), world.live("no-sshd"));
    assertFalse(callsPerRound.isEmpty());
    assertEquals(
        Set.of(1), new TreeSet<>(callsPerRound), "each round is one DescribeInstances for all 4");
    assertEquals(
        0,
        world
            .observer
            .describeKeyPairs(
                r -> r.filters(Filter.builder().name("key-name").values(name("no-sshd")).build()))
            .keyPairs()
            .size());
  }

  @Test
  void terminateEndsEveryTaggedInstanceAndDeletesTheGroupAndKeyPair() {
    try (Provider ec2 = provider(new Ec2ProviderFactory(world.wiring()))) {
      List<Host> hosts = ec2.launch(request("ended", 2, Instant.now().plusSeconds(3600))).hosts();
      assertEquals(2, ec2.describe("ended").size());
      ec2.terminate(
          "ended", hosts.subList(0, 1)); // the registry may know fewer hosts than the cloud has
      assertEquals(List.of(), ec2.describe("ended"));
    }
    assertEquals(
        Set.of("terminated"),
        world.instances("ended").stream()
            .map(i -> i.state().nameAsString())
            .collect(Collectors.toSet()));
    assertEquals(
        0,
        world
            .observer
            .describeSecurityGroups(
                r -> r.filters(Filter.builder().name("group-name").values(name("ended")).build()))
            .securityGroups()
            .size());
    assertEquals(
        0,
        world
            .observer
            .describeKeyPairs(
                r -> r.filters(Filter.builder().name("key-name").values(name("ended")).build()))
            .keyPairs()
            .size());
  }

  @Test
  void extendMovesTheExpiryTagAndReArmsTheFailsafeOnEveryHostAndNeverDisarmsIt() throws Exception {
    // each "host" is a local shell where the real mayfly-failsafe script is installed on PATH
    Path bin = Files.createDirectories(home.resolve("bin"));
    Files.writeString(bin.resolve("mayfly-failsafe"), UserData.script());
    bin.resolve("mayfly-failsafe").toFile().setExecutable(true);
    List<Path> confs = Collections.synchronizedList(new ArrayList<>());
    Ec2Wiring wiring =
        world
            .wiring()
            .withShells(
                (endpoint, access) -> {
                  Path conf = home.resolve("conf-" + confs.size());
                  confs.add(conf);
                  return new LocalShell(
                      home,
                      Map.of(
                          "PATH",
                          bin + ":" + System.getenv("PATH"),
                          "MAYFLY_FAILSAFE_CONF",
                          conf.toString()));
                });
    Instant later = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    List<Host> hosts;
    try (Provider ec2 = provider(new Ec2ProviderFactory(wiring))) {
      hosts = ec2.launch(request("extended", 2, Instant.now().plusSeconds(3600))).hosts();
      ec2.extend("extended", hosts, later);
    }
    for (Instance i : world.live("extended")) {
      assertEquals(later.toString(), tags(i.tags()).get("mayfly:expires-at"));
      String volume = i.blockDeviceMappings().get(0).ebs().volumeId();
      assertEquals(
          later.toString(),
          tags(world.observer.describeVolumes(r -> r.volumeIds(volume)).volumes().get(0).tags())
              .get("mayfly:expires-at"));
    }
    assertEquals(2, confs.size());
    for (Path conf : confs) {
      assertEquals(later.getEpochSecond() + " 3600", Files.readString(conf).trim());
    }

    confs.clear();
    try (Provider ec2 = provider(new Ec2ProviderFactory(wiring))) {
      ec2.extend("extended", hosts, null); // extended to never end
    }
    for (Instance i : world.live("extended")) {
      assertFalse(tags(i.tags()).containsKey("mayfly:expires-at"), i.instanceId());
    }
    assertEquals(2, confs.size());
    // the shells reuse the conf paths the arm above wrote (conf-0, conf-1): disarm removed them
    for (Path conf : confs) {
      assertFalse(Files.exists(conf), conf.toString());
    }
  }

  @Test
  void ownedListsOnlyMayflyTaggedInstancesWithTheirExpiry() {
    world.observer.runInstances(
        r -> r.imageId(MotoServer.IMAGE).minCount(1).maxCount(1)); // not ours
    Instant expires = Instant.now().plusSeconds(7200).truncatedTo(ChronoUnit.SECONDS);
    try (Provider ec2 = provider(new Ec2ProviderFactory(world.wiring()))) {
      ec2.launch(request("listed", 1, expires));
      List<OwnedHost> owned = ec2.owned();
      assertTrue(owned.stream().allMatch(o -> !o.deploymentId().isEmpty()));
      OwnedHost listed =
          owned.stream().filter(o -> o.deploymentId().equals("listed")).findFirst().orElseThrow();
      assertEquals(expires, listed.expiresAt().orElseThrow());
      assertEquals(Optional.of(registry.id()), listed.registryId());
      Set<String> untagged =
          world.observer.describeInstances().reservations().stream()
              .flatMap(r -> r.instances().stream())
              .filter(i -> i.tags().stream().noneMatch(t -> t.key().startsWith("mayfly:")))
              .map(Instance::instanceId)
              .collect(Collectors.toSet());
      assertFalse(untagged.isEmpty());
      assertTrue(owned.stream().noneMatch(o -> untagged.contains(o.host().id())));
    }
  }

  @Test
  void ec2UrlPointsATargetWithoutEndpointAtTheCloudAsEuca2oolsDoes() throws Exception {
    MotoWorld.writeCredentials(home);
    Path file = home.resolve(".config/mayfly/targets.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        "targets:\n  euca:\n    provider: ec2\n    region: "
            + MotoServer.REGION
            + "\n    image: "
            + MotoServer.IMAGE
            + "\n    instance-type: m1.small\n    poll: 50ms\n");
    Targets targets =
        Targets.load(
            Map.of("HOME", home.toString(), "EC2_URL", world.moto.endpoint()),
            "moto",
            p -> p.equals("ec2") ? Ec2Settings.NAMES : null);
    Target euca = targets.resolve("euca");
    assertEquals(world.moto.endpoint(), euca.settings().get("endpoint"));
    try (Provider ec2 = provider(new Ec2ProviderFactory(world.wiring()), euca.settings())) {
      ec2.launch(request("via-ec2-url", 1, Instant.now().plusSeconds(600)));
    }
    List<Instance> launched = world.live("via-ec2-url");
    assertEquals(1, launched.size(), "the instance exists on the endpoint EC2_URL names");
    assertEquals("m1.small", launched.get(0).instanceTypeAsString());
  }

  private static Map<String, String> tags(List<Tag> tags) {
    return tags.stream().collect(Collectors.toMap(Tag::key, Tag::value));
  }

  private static List<String> ids(List<Host> hosts) {
    return hosts.stream().map(Host::id).sorted().toList();
  }
}
