package dev.mayfly.provider.ec2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.deploy.Deployments;
import dev.mayfly.deploy.HostOutcome;
import dev.mayfly.deploy.LaunchOptions;
import dev.mayfly.deploy.LaunchResult;
import dev.mayfly.deploy.Progress;
import dev.mayfly.provider.Providers;
import dev.mayfly.store.DeploymentState;
import dev.mayfly.store.HostRow;
import dev.mayfly.store.HostState;
import dev.mayfly.store.Registry;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * The whole EC2 pipeline for real: moto plays EC2, and each instance it starts is mapped by id to
 * one of the SSH harness's hosts (a real sshd in its own network namespace), so launch → "instances
 * running" → "ssh port open" → bootstrap over SSH → healthy → terminate all run. moto's own
 * instance addresses are never contacted.
 */
class Ec2PipelineIT {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  @RegisterExtension static final SshdHostsFixture hosts = new SshdHostsFixture(3, 0);
  @RegisterExtension static final MotoWorld world = new MotoWorld();

  @TempDir Path home;

  @Test
  void launchBootstrapsEveryInstanceOverSshAndTerminateEndsThemAll() throws Exception {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    world.writeSshCloudTarget(home, "poll: 100ms", "ssh-timeout: 30s");
    Map<String, SshdHosts.Host> hostOf = new ConcurrentHashMap<>();
    Ec2Wiring wiring = MotoWorld.sshdWiring(hosts, hostOf);
    Map<String, String> env = Map.of("HOME", home.toString());
    Providers providers = Providers.installed().with(new Ec2ProviderFactory(wiring));
    Path state = home.resolve("state");
    Files.createDirectories(state);
    try (Registry registry = Registry.open(state)) {
      Deployments deployments =
          new Deployments(
              state,
              registry,
              new TemplateCatalog(List.of(demo.root().resolve("templates"))),
              providers,
              Targets.load(env, null, providers::settingNames),
              Clock.systemUTC(),
              env);

      // the harness hosts accept its user key: EC2 imports that key's public half as the key pair
      LaunchResult result =
          deployments.launch(
              new LaunchOptions(
                  "qa-results",
                  null,
                  List.of("title=On EC2"),
                  "2d",
                  "pipeline",
                  "cloud",
                  3,
                  3,
                  List.of(),
                  null,
                  hosts.userKey().toString(),
                  null,
                  "30s"),
              Progress.SILENT);
      assertTrue(result.ok(), () -> result.hosts().toString());

      List<Instance> instances = world.live("pipeline");
      assertEquals(3, instances.size());
      Set<String> instanceIds =
          instances.stream()
              .map(Instance::instanceId)
              .collect(Collectors.toCollection(TreeSet::new));
      assertEquals(
          instanceIds,
          result.hosts().stream()
              .map(HostOutcome::hostId)
              .collect(Collectors.toCollection(TreeSet::new)));
      assertEquals(
          instanceIds,
          new TreeSet<>(hostOf.keySet()),
          "every instance went to its own harness host");
      for (SshdHosts.Host host : hosts.all()) {
        String page = get("http://" + host.address() + ":8080/");
        assertTrue(page.contains("On EC2"), host.address() + ": " + page);
      }
      assertEquals(
          Set.of(HostState.HEALTHY),
          registry.hosts("pipeline").stream().map(HostRow::state).collect(Collectors.toSet()));
      assertEquals(DeploymentState.RUNNING, registry.find("pipeline").orElseThrow().state());

      deployments.terminate("pipeline", Progress.SILENT);
      assertEquals(List.of(), world.live("pipeline"));
      assertEquals(3, world.instances("pipeline").size());
      for (SshdHosts.Host host : hosts.all()) {
        assertEquals(
            List.of(), host.otherProcesses(), () -> "service stopped on " + host.address());
      }
      assertEquals(DeploymentState.TERMINATED, registry.find("pipeline").orElseThrow().state());
    }
  }

  private static String get(String url) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
  }
}
