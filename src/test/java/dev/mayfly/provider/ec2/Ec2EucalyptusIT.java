package dev.mayfly.provider.ec2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.MayflyException;
import dev.mayfly.bench.MotoServer;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.LaunchRequest;
import dev.mayfly.provider.Provider;
import dev.mayfly.store.Registry;
import dev.mayfly.target.Target;
import dev.mayfly.target.Targets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Eucalyptus-shaped cloud: EC2 only under {@code /services/compute} (404 elsewhere) and region
 * {@code eucalyptus}, a proxy in front of moto. The endpoint comes from the targets file or from
 * {@code $EC2_URL}, as euca2ools users set it.
 */
class Ec2EucalyptusIT {
  @RegisterExtension static final MotoWorld world = new MotoWorld();

  @TempDir Path home;
  private Registry registry;
  private FaultProxy eucalyptus;

  @BeforeEach
  void open() throws Exception {
    registry = Registry.open(Files.createDirectories(home.resolve("state")));
    eucalyptus = FaultProxy.eucalyptus(world.moto.endpoint());
    MotoWorld.writeCredentials(home);
  }

  @AfterEach
  void close() {
    eucalyptus.close();
    registry.close();
  }

  /** The target {@code euca} from a targets file holding {@code lines}, in {@code env}. */
  private Target target(String lines, Map<String, String> extraEnv) throws Exception {
    Path file = home.resolve(".config/mayfly/targets.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        "targets:\n  euca:\n    provider: ec2\n    region: eucalyptus\n    image: "
            + MotoServer.IMAGE
            + "\n    profile: moto\n    poll: 50ms\n    running-timeout: 20s\n"
            + "    ssh-timeout: 5s\n    terminate-timeout: 20s\n    max-attempts: 2\n"
            + "    api-timeout: 20s\n"
            + lines.indent(4));
    Map<String, String> env = new HashMap<>(extraEnv);
    env.put("HOME", home.toString());
    return Targets.load(env, null, name -> Ec2Settings.NAMES).resolve("euca");
  }

  /** Launch, describe and terminate one host through the proxy; all of it under the path. */
  private void launchDescribeTerminate(Target target, String deploymentId) {
    Map<String, String> settings = target.settings();
    try (Provider ec2 =
        new Ec2ProviderFactory(world.wiring())
            .create(MotoWorld.context(registry, home.resolve("state"), settings))) {
      List<Host> hosts =
          ec2.launch(
                  new LaunchRequest(
                      deploymentId,
                      "qa-results",
                      1,
                      Map.of("http", 8080),
                      Instant.now().plusSeconds(3600),
                      Map.of()))
              .hosts();
      assertEquals(1, hosts.size());
      assertEquals(1, ec2.describe(deploymentId).size());
      ec2.terminate(deploymentId, hosts);
      assertEquals(List.of(), ec2.describe(deploymentId));
    }
    assertEquals(
        Set.of("terminated"),
        world.instances(deploymentId).stream()
            .map(i -> i.state().nameAsString())
            .collect(Collectors.toSet()));
    for (String action :
        List.of("ImportKeyPair", "RunInstances", "DescribeInstances", "TerminateInstances")) {
      assertTrue(
          !eucalyptus.requests(action).isEmpty(), action + " reached the cloud under the path");
    }
    assertEquals(
        Set.of(FaultProxy.EUCALYPTUS_PATH + "/"),
        Set.copyOf(eucalyptus.paths()),
        "every request went to the endpoint's path");
  }

  @Test
  void anEndpointPathFromTheTargetsFileIsKept() throws Exception {
    Target target = target("endpoint: " + eucalyptus.endpoint() + "\n", Map.of());
    launchDescribeTerminate(target, "euca-file");
  }

  @Test
  void anEndpointPathFromEc2UrlIsKept() throws Exception {
    // as euca2ools users write it: no trailing slash
    String url = eucalyptus.endpoint().substring(0, eucalyptus.endpoint().length() - 1);
    Target target = target("", Map.of("EC2_URL", url));
    assertEquals(url, target.settings().get("endpoint"));
    launchDescribeTerminate(target, "euca-env");
  }

  @Test
  void anEndpointWithoutThePathGetsOneLineSayingSo() throws Exception {
    String root = eucalyptus.endpoint().replace(FaultProxy.EUCALYPTUS_PATH + "/", "/");
    Target target = target("endpoint: " + root + "\n", Map.of());
    MayflyException e =
        assertThrows(
            MayflyException.class,
            () -> {
              try (Provider ec2 =
                  new Ec2ProviderFactory(world.wiring())
                      .create(
                          MotoWorld.context(registry, home.resolve("state"), target.settings()))) {
                ec2.describe("euca-root");
              }
            });
    assertEquals(
        "target 'euca' ("
            + root
            + "): looking up the instances of euca-root: no EC2 API at this endpoint (HTTP 404); check endpoint:'s path"
            + " (Eucalyptus: https://HOST:8773/services/compute)",
        e.getMessage());
    assertEquals(List.of("/"), eucalyptus.paths().stream().distinct().toList());
  }
}
