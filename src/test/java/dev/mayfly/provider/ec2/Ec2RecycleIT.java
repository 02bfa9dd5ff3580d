package dev.mayfly.provider.ec2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.deploy.Deployments;
import dev.mayfly.deploy.LaunchOptions;
import dev.mayfly.deploy.LaunchResult;
import dev.mayfly.deploy.Progress;
import dev.mayfly.provider.Providers;
import dev.mayfly.store.DeploymentRow;
import dev.mayfly.store.EventRow;
import dev.mayfly.store.HostRow;
import dev.mayfly.store.Registry;
import dev.mayfly.store.StableAddresses.StableAddress;
import dev.mayfly.target.Targets;
import dev.mayfly.template.TemplateCatalog;
import dev.mayfly.testing.DemoCopy;
import dev.mayfly.testing.SshdHosts;
import dev.mayfly.testing.SshdHostsFixture;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.model.Address;
import software.amazon.awssdk.services.ec2.model.DomainType;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * {@code mayfly recycle} on ec2 for real: moto plays EC2 and each instance it starts is mapped by
 * id, in launch order, to the next of the SSH harness's hosts, so fresh instances are bootstrapped
 * over SSH on hosts of their own while the old ones serve. What EC2 holds is checked with an
 * observer client of the test's own, never through the provider; moto's addresses are never
 * contacted.
 */
class Ec2RecycleIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  @RegisterExtension static final SshdHostsFixture hosts = new SshdHostsFixture(4, 0);
  @RegisterExtension static final MotoWorld world = new MotoWorld();

  @TempDir Path home;

  /** Instance id to the harness host it was mapped to, in launch order. */
  private final Map<String, SshdHosts.Host> hostOf = new ConcurrentHashMap<>();

  @Test
  void recycleMovesEachElasticIpToItsFreshInstanceAndTerminateReleasesOnlyMayflysOwn()
      throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    demo.templateVariant(
        "stable",
        Files.readString(demo.template()).replace("name: qa-results", "name: stable")
            + "stable-address: true\n");
    try (Registry registry = Registry.open(home.resolve("state"))) {
      Deployments deployments = deployments(demo, registry);
      LaunchResult launched = launch(deployments, "stable", "kept-ip", 2);
      assertTrue(launched.ok(), () -> launched.hosts().toString());
      List<String> oldIds = ids(world.live("kept-ip"));
      Map<String, String> before = associations("kept-ip");
      assertEquals(2, before.size(), () -> "one Elastic IP per instance: " + before);
      assertEquals(new TreeSet<>(oldIds), new TreeSet<>(before.values()));
      for (Address a : addresses("kept-ip")) {
        assertEquals(
            Optional.of(registry.id()), tag(a.tags(), Ec2Tags.REGISTRY), "tagged like instances");
      }
      assertEquals(
          before.keySet(),
          registry.stableAddresses().of("kept-ip").stream()
              .map(StableAddress::allocationId)
              .collect(Collectors.toSet()),
          "the registry records the allocations");
      DeploymentRow was = registry.find("kept-ip").orElseThrow();

      Deployments.RecycleResult r = deployments.recycle("kept-ip", false, Progress.SILENT);

      assertTrue(r.ok(), r::why);
      List<Instance> live = world.live("kept-ip");
      assertEquals(2, live.size(), "same count");
      for (Instance i : live) {
        assertFalse(oldIds.contains(i.instanceId()), "fresh, not an old one: " + i.instanceId());
        assertEquals(Optional.of("kept-ip"), tag(i.tags(), Ec2Tags.DEPLOYMENT));
        assertEquals(Optional.of(registry.id()), tag(i.tags(), Ec2Tags.REGISTRY));
        assertEquals(
            was.expiresAt().map(t -> t.truncatedTo(ChronoUnit.SECONDS).toString()),
            tag(i.tags(), Ec2Tags.EXPIRES),
            "same expiry");
      }
      for (Instance i : world.instances("kept-ip")) {
        if (oldIds.contains(i.instanceId())) {
          assertTrue(
              Set.of("terminated", "shutting-down").contains(i.state().nameAsString()),
              i.instanceId() + " is " + i.state());
        }
      }
      Map<String, String> after = associations("kept-ip");
      assertEquals(before.keySet(), after.keySet(), "the same allocations, none new");
      assertEquals(new TreeSet<>(ids(live)), new TreeSet<>(after.values()));
      for (HostRow h : registry.hosts("kept-ip")) {
        String page = get("http://" + hostOf.get(h.hostId()).address() + ":8080/");
        assertTrue(page.contains("Nightly QA results"), h.hostId() + ": " + page);
      }
      assertEquals(
          new TreeSet<>(ids(live)),
          registry.hosts("kept-ip").stream()
              .map(HostRow::hostId)
              .collect(Collectors.toCollection(TreeSet::new)));
      DeploymentRow now = registry.find("kept-ip").orElseThrow();
      assertEquals(was.expiresAt(), now.expiresAt());
      EventRow recycled = event(registry, "kept-ip", "recycled");
      for (String old : oldIds) {
        assertTrue(recycled.detail().contains(old + " -> "), recycled::detail);
      }
      assertEquals(
          after.entrySet().stream()
              .map(e -> e.getKey() + "=" + e.getValue())
              .collect(Collectors.toSet()),
          registry.stableAddresses().of("kept-ip").stream()
              .map(a -> a.allocationId() + "=" + a.hostId().orElse(""))
              .collect(Collectors.toSet()),
          "the registry follows the move");

      // addresses that are not this registry's: untagged, and another registry's of the same id
      String untagged =
          world.observer.allocateAddress(a -> a.domain(DomainType.VPC)).allocationId();
      String foreign =
          world
              .observer
              .allocateAddress(
                  a ->
                      a.domain(DomainType.VPC)
                          .tagSpecifications(
                              TagSpecification.builder()
                                  .resourceType(ResourceType.ELASTIC_IP)
                                  .tags(
                                      Tag.builder()
                                          .key(Ec2Tags.REGISTRY)
                                          .value("0123456789abcdef0123456789abcdef")
                                          .build(),
                                      Tag.builder()
                                          .key(Ec2Tags.DEPLOYMENT)
                                          .value("kept-ip")
                                          .build())
                                  .build()))
              .allocationId();

      deployments.terminate("kept-ip", Progress.SILENT);

      Set<String> left =
          world.observer.describeAddresses().addresses().stream()
              .map(Address::allocationId)
              .collect(Collectors.toSet());
      for (String mine : before.keySet()) {
        assertFalse(left.contains(mine), "released " + mine);
      }
      assertTrue(left.contains(untagged), "an untagged address is never released");
      assertTrue(left.contains(foreign), "another registry's address is never released");
      assertEquals(List.of(), registry.stableAddresses().of("kept-ip"));
      assertEquals(List.of(), world.live("kept-ip"));
    }
  }

  @Test
  void freshHostsThatFailAreEndedAndTheOldKeepsServingThenAGoodRecycleMovesTheUrl()
      throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    try (Registry registry = Registry.open(home.resolve("state"))) {
      Deployments deployments = deployments(demo, registry);
      LaunchResult launched = launch(deployments, "qa-results", "moved", 1);
      assertTrue(launched.ok(), () -> launched.hosts().toString());
      String oldId = ids(world.live("moved")).get(0);
      String oldUrl = registry.find("moved").orElseThrow().url().orElseThrow();
      assertEquals(List.of(), addresses("moved"), "no stable-address: no Elastic IP");

      Path installer = demo.serviceDir().resolve("install.sh");
      String good = Files.readString(installer);
      Files.writeString(installer, "#!/bin/sh\necho broken installer >&2\nexit 1\n");
      Deployments.RecycleResult failed = deployments.recycle("moved", false, Progress.SILENT);

      assertFalse(failed.ok());
      assertTrue(failed.why().contains("install"), failed::why);
      assertEquals(List.of(oldId), ids(world.live("moved")), "no fresh instance left running");
      assertEquals(2, hostOf.size(), "a fresh instance was started and bootstrapped");
      assertEquals(List.of(oldId), registry.hosts("moved").stream().map(HostRow::hostId).toList());
      assertEquals(oldUrl, registry.find("moved").orElseThrow().url().orElseThrow());
      assertTrue(get(oldUrl).contains("Nightly QA results"), "the old one still serves");
      event(registry, "moved", "recycle-failed");

      Files.writeString(installer, good + "\n# fixed\n");
      Deployments.RecycleResult r = deployments.recycle("moved", false, Progress.SILENT);

      assertTrue(r.ok(), r::why);
      assertTrue(r.urlChanged());
      assertNotEquals(oldUrl, r.url());
      String freshId = ids(world.live("moved")).get(0);
      assertNotEquals(oldId, freshId);
      assertEquals("http://" + hostOf.get(freshId).address() + ":8080/", r.url());
      assertEquals(
          r.url(),
          deployments.status("moved").deployment().url().orElseThrow(),
          "status shows the new URL");
      assertTrue(get(r.url()).contains("Nightly QA results"));
      assertNotEquals(
          r.oldService(), r.newService(), "the newest service commit, the fixed installer's");
      deployments.terminate("moved", Progress.SILENT);
      assertEquals(List.of(), world.live("moved"));
    }
  }

  private Deployments deployments(DemoCopy demo, Registry registry) throws IOException {
    world.writeSshCloudTarget(home, "poll: 100ms", "ssh-timeout: 30s");
    Ec2Wiring wiring = MotoWorld.sshdWiring(hosts, hostOf);
    Map<String, String> env = Map.of("HOME", home.toString());
    Providers providers = Providers.installed().with(new Ec2ProviderFactory(wiring));
    return new Deployments(
        home.resolve("state"),
        registry,
        new TemplateCatalog(List.of(demo.root().resolve("templates"))),
        providers,
        Targets.load(env, null, providers::settingNames),
        Clock.systemUTC(),
        env);
  }

  private static LaunchResult launch(Deployments deployments, String template, String id, int n) {
    return deployments.launch(
        new LaunchOptions(
            template,
            null,
            List.of(),
            "2d",
            id,
            "cloud",
            n,
            n,
            List.of(),
            null,
            hosts.userKey().toString(),
            null,
            "30s"),
        Progress.SILENT);
  }

  /** The deployment's Elastic IPs (any registry's), as EC2 reports them. */
  private static List<Address> addresses(String deploymentId) {
    return world
        .observer
        .describeAddresses(
            r ->
                r.filters(
                    Filter.builder()
                        .name("tag:" + Ec2Tags.DEPLOYMENT)
                        .values(deploymentId)
                        .build()))
        .addresses();
  }

  /** Allocation id to the instance it is associated with. */
  private static Map<String, String> associations(String deploymentId) {
    return addresses(deploymentId).stream()
        .filter(a -> a.instanceId() != null)
        .collect(Collectors.toMap(Address::allocationId, Address::instanceId));
  }

  private static List<String> ids(List<Instance> instances) {
    return instances.stream().map(Instance::instanceId).toList();
  }

  private static Optional<String> tag(List<Tag> tags, String key) {
    return tags.stream().filter(t -> t.key().equals(key)).map(Tag::value).findFirst();
  }

  private static EventRow event(Registry registry, String id, String kind) {
    return registry.events(id).stream()
        .filter(e -> e.kind().equals(kind))
        .reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("no " + kind + " event: " + registry.events(id)));
  }

  private static String get(String url) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
  }
}
