package dev.mayfly.provider.ec2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mayfly.bench.AcceptingPort;
import dev.mayfly.bench.MotoServer;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.LaunchRequest;
import dev.mayfly.provider.Provider;
import dev.mayfly.store.Registry;
import dev.mayfly.testing.Peers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The same launch and terminate against LocalStack in a container. Needs a Docker engine, so it
 * runs only with {@code mvn -Pdocker verify} (tag {@code docker}) until issue 12 gives CI one;
 * there, a missing engine is a failure like any missing peer. Moto covers every behaviour without
 * Docker.
 */
@Tag("docker")
class LocalStackIT {
  @TempDir Path home;

  @Test
  void launchAndTerminateOnLocalStackLeaveNothingRunning() throws IOException {
    Peers.require(
        DockerClientFactory.instance().isDockerAvailable(),
        "no Docker engine here, so no LocalStack container; Ec2ProviderIT covers the flow on moto");
    try (LocalStackContainer localstack =
            new LocalStackContainer(DockerImageName.parse("localstack/localstack:3.8"))
                .withServices(LocalStackContainer.Service.EC2);
        AcceptingPort sshPort = new AcceptingPort()) {
      localstack.start();
      MotoWorld.writeCredentials(home);
      Map<String, String> settings =
          Map.of(
              "target",
              "localstack",
              "region",
              localstack.getRegion(),
              "endpoint",
              localstack.getEndpointOverride(LocalStackContainer.Service.EC2).toString(),
              "image",
              MotoServer.IMAGE,
              "profile",
              MotoWorld.PROFILE,
              "credentials-file",
              home.resolve(".aws/credentials").toString(),
              "poll",
              "200ms");
      Ec2Wiring wiring =
          Ec2Wiring.standard()
              .withResolver((id, address) -> new Ec2Wiring.Reach("127.0.0.1", sshPort.port()));
      try (Registry registry = Registry.open(Files.createDirectories(home.resolve("state")));
          Provider ec2 =
              new Ec2ProviderFactory(wiring)
                  .create(MotoWorld.context(registry, home.resolve("state"), settings))) {
        List<Host> hosts =
            ec2.launch(
                    new LaunchRequest(
                        "on-localstack",
                        "qa-results",
                        2,
                        Map.of("http", 8080),
                        Instant.now().plusSeconds(3600),
                        Map.of()))
                .hosts();
        assertEquals(2, hosts.size());
        assertEquals(2, ec2.describe("on-localstack").size());
        ec2.terminate("on-localstack", hosts);
        assertEquals(List.of(), ec2.describe("on-localstack"));
      }
    }
  }
}
