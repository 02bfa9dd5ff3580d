package dev.mayfly.provider.ec2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.MayflyException;
import dev.mayfly.bench.MotoServer;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.LaunchRequest;
import dev.mayfly.provider.OwnedHost;
import dev.mayfly.provider.Provider;
import dev.mayfly.store.Registry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.KeyPairInfo;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * Two registries (two state folders) on one moto account: each tags what it creates with its id
 * from the creating call, names its key pairs and groups so that the same deployment id never
 * clashes, and ends only what carries its own id.
 */
class Ec2OwnershipIT {
  @RegisterExtension static final MotoWorld world = new MotoWorld();

  @TempDir Path home;
  @TempDir Path stateA;
  @TempDir Path stateB;
  private Registry a;
  private Registry b;

  @BeforeEach
  void openRegistries() {
    a = Registry.open(stateA);
    b = Registry.open(stateB);
  }

  @AfterEach
  void closeRegistries() {
    a.close();
    b.close();
  }

  private Provider provider(Registry registry, Path state, Ec2Wiring wiring) {
    return new Ec2ProviderFactory(wiring)
        .create(MotoWorld.context(registry, state, world.settings(home)));
  }

  private static LaunchRequest request(String id) {
    return new LaunchRequest(
        id, "qa-results", 1, Map.of("http", 8080), Instant.now().plusSeconds(3600), Map.of());
  }

  @Test
  void twoRegistriesLaunchTheSameDeploymentIdSideBySideAndEachEndsOnlyItsOwn() {
    List<String> calls = Collections.synchronizedList(new ArrayList<>());
    Ec2Wiring watched =
        world
            .wiring()
            .withListener(
                new Ec2Wiring.ApiListener() {
                  @Override
                  public void called(String operation) {
                    calls.add(operation);
                  }
                });
    List<Host> hostsA;
    List<Host> hostsB;
    try (Provider ec2 = provider(a, stateA, watched)) {
      hostsA = ec2.launch(request("twin")).hosts();
    }
    try (Provider ec2 = provider(b, stateB, world.wiring())) {
      hostsB = ec2.launch(request("twin")).hosts();
    }
    assertTrue(
        calls.containsAll(List.of("ImportKeyPair", "CreateSecurityGroup", "RunInstances")),
        calls::toString);
    assertFalse(
        calls.contains("CreateTags"), () -> "tagged by the creating calls, never after: " + calls);
    assertNotEquals(MotoWorld.resourceName(a, "twin"), MotoWorld.resourceName(b, "twin"));
    for (Registry r : List.of(a, b)) {
      assertEquals(r.id(), tags(keyPair(r, "twin").orElseThrow().tags()).get("mayfly:registry"));
      assertEquals(r.id(), tags(group(r, "twin").orElseThrow().tags()).get("mayfly:registry"));
    }
    assertEquals(2, world.live("twin").size());
    assertEquals(
        Map.of(only(hostsA), a.id(), only(hostsB), b.id()),
        world.live("twin").stream()
            .collect(
                Collectors.toMap(
                    Instance::instanceId, i -> tags(i.tags()).get("mayfly:registry"))));

    try (Provider ec2 = provider(b, stateB, world.wiring())) {
      assertEquals(List.of(only(hostsB)), ec2.describe("twin").stream().map(Host::id).toList());
      Map<String, Optional<String>> owners =
          ec2.owned().stream()
              .filter(o -> o.deploymentId().equals("twin"))
              .collect(Collectors.toMap(o -> o.host().id(), OwnedHost::registryId));
      assertEquals(
          Map.of(only(hostsA), Optional.of(a.id()), only(hostsB), Optional.of(b.id())),
          owners,
          "owned lists both registries' hosts, each with the registry it carries");
      // even handed A's host, as a reaper listing everything would, B ends only its own
      ec2.terminate("twin", Stream.concat(hostsA.stream(), hostsB.stream()).toList());
    }
    assertEquals(
        List.of(only(hostsA)), world.live("twin").stream().map(Instance::instanceId).toList());
    assertTrue(keyPair(a, "twin").isPresent(), "A's key pair is left alone");
    assertTrue(group(a, "twin").isPresent(), "A's security group is left alone");
    assertTrue(keyPair(b, "twin").isEmpty(), "B's key pair is deleted");
    assertTrue(group(b, "twin").isEmpty(), "B's security group is deleted");

    try (Provider ec2 = provider(a, stateA, world.wiring())) {
      ec2.terminate("twin", hostsA);
    }
    assertEquals(List.of(), world.live("twin"));
    assertTrue(keyPair(a, "twin").isEmpty() && group(a, "twin").isEmpty());
  }

  @Test
  void anInstanceWithoutARegistryTagIsEndedOnlyWhenTheRegistryNamesIt() {
    String old =
        world
            .observer
            .runInstances(
                r ->
                    r.imageId(MotoServer.IMAGE)
                        .minCount(1)
                        .maxCount(1)
                        .tagSpecifications(
                            TagSpecification.builder()
                                .resourceType(ResourceType.INSTANCE)
                                .tags(
                                    Tag.builder()
                                        .key("mayfly:deployment")
                                        .value("from-before")
                                        .build())
                                .build()))
            .instances()
            .get(0)
            .instanceId();
    try (Provider ec2 = provider(a, stateA, world.wiring())) {
      assertEquals(List.of(), ec2.describe("from-before"), "not known to be this registry's");
      ec2.terminate("from-before", List.of());
      assertEquals(
          1,
          world.live("from-before").size(),
          "made before registry ids and not named: left alone");
      ec2.terminate("from-before", List.of(new Host(old, "", Map.of(), Optional.empty())));
    }
    assertEquals(List.of(), world.live("from-before"));
  }

  @Test
  void aProviderMadeWithoutARegistryRefusesToCreateOrEndAnything() throws Exception {
    Path state = Files.createDirectories(home.resolve("no-registry"));
    try (Provider ec2 =
        new Ec2ProviderFactory(world.wiring()).create(state, world.settings(home))) {
      MayflyException launch =
          assertThrows(MayflyException.class, () -> ec2.launch(request("orphan")));
      assertEquals(MayflyException.Exit.INTERNAL, launch.exit());
      assertTrue(launch.getMessage().contains("made without a registry id"), launch.getMessage());
      MayflyException terminate =
          assertThrows(MayflyException.class, () -> ec2.terminate("orphan", List.of()));
      assertEquals(MayflyException.Exit.INTERNAL, terminate.exit());
      ec2.owned(); // listing needs no registry
    }
    Filter tagged = Filter.builder().name("tag:mayfly:deployment").values("orphan").build();
    assertEquals(List.of(), world.instances("orphan"));
    assertEquals(0, world.observer.describeKeyPairs(r -> r.filters(tagged)).keyPairs().size());
    assertEquals(
        0, world.observer.describeSecurityGroups(r -> r.filters(tagged)).securityGroups().size());
  }

  private static Optional<KeyPairInfo> keyPair(Registry registry, String deploymentId) {
    return world
        .observer
        .describeKeyPairs(
            r ->
                r.filters(
                    Filter.builder()
                        .name("key-name")
                        .values(MotoWorld.resourceName(registry, deploymentId))
                        .build()))
        .keyPairs()
        .stream()
        .findFirst();
  }

  private static Optional<SecurityGroup> group(Registry registry, String deploymentId) {
    return world
        .observer
        .describeSecurityGroups(
            r ->
                r.filters(
                    Filter.builder()
                        .name("group-name")
                        .values(MotoWorld.resourceName(registry, deploymentId))
                        .build()))
        .securityGroups()
        .stream()
        .findFirst();
  }

  private static String only(List<Host> hosts) {
    assertEquals(1, hosts.size(), hosts::toString);
    return hosts.get(0).id();
  }

  private static Map<String, String> tags(List<Tag> tags) {
    return tags.stream().collect(Collectors.toMap(Tag::key, Tag::value));
  }
}
