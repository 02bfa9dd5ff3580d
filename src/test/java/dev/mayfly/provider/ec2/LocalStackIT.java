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
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * The same launch and terminate against LocalStack in a container, checked by a client of its own
 * rather than the provider's describe. Needs a Docker engine and the image {@code
 * scripts/build-localstack-image.sh} builds (no registry to pull from), so it runs with {@code mvn
 * -Pdocker verify} (tag {@code docker}; the profile is on whenever {@code CI=true}); there, a
 * missing engine or image is a failure like any missing peer. Moto covers every behaviour without
 * Docker.
 */
@Tag("docker")
class LocalStackIT {
  /** Built locally; a semantic-version tag, or LocalStackContainer falls back to legacy mode. */
  static final DockerImageName IMAGE =
      DockerImageName.parse(
              System.getenv().getOrDefault("MAYFLY_LOCALSTACK_IMAGE", "mayfly/localstack:2026.3.0"))
          .asCompatibleSubstituteFor("localstack/localstack");

  @TempDir Path home;

  @Test
  void launchAndTerminateOnLocalStackLeaveNothingRunning() throws IOException {
    Peers.require(
        DockerClientFactory.instance().isDockerAvailable(),
        "no Docker engine here, so no LocalStack container; Ec2ProviderIT covers the flow on moto");
    Peers.require(
        imageBuilt(),
        IMAGE
            + " is not built: run scripts/build-localstack-image.sh (images cannot be pulled here)");
    try (LocalStackContainer localstack =
            new LocalStackContainer(IMAGE).withServices(LocalStackContainer.Service.EC2);
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
      try (Ec2Client observer = observer(localstack);
          Registry registry = Registry.open(Files.createDirectories(home.resolve("state")));
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
        Map<String, String> states = statesOf(observer, "on-localstack");
        assertEquals(2, states.size(), "instances tagged for the deployment: " + states);
        assertEquals(
            hosts.stream().map(Host::id).collect(Collectors.toSet()),
            states.keySet(),
            "the hosts the provider returned are the tagged instances");
        ec2.terminate("on-localstack", hosts);
        assertEquals(
            List.of(),
            statesOf(observer, "on-localstack").values().stream()
                .filter(state -> !state.equals("terminated") && !state.equals("shutting-down"))
                .toList(),
            "nothing of the deployment still running");
      }
    }
  }

  private static boolean imageBuilt() {
    try {
      DockerClientFactory.instance().client().inspectImageCmd(IMAGE.asCanonicalNameString()).exec();
      return true;
    } catch (RuntimeException notThere) {
      return false;
    }
  }

  private static Ec2Client observer(LocalStackContainer localstack) {
    return Ec2Client.builder()
        .region(Region.of(localstack.getRegion()))
        .endpointOverride(localstack.getEndpointOverride(LocalStackContainer.Service.EC2))
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(localstack.getAccessKey(), localstack.getSecretKey())))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .build();
  }

  /** Instance id → state name of every instance tagged with the deployment, as EC2 reports it. */
  private static Map<String, String> statesOf(Ec2Client observer, String deployment) {
    return observer
        .describeInstancesPaginator(
            r ->
                r.filters(
                    Filter.builder().name("tag:" + Ec2Tags.DEPLOYMENT).values(deployment).build()))
        .reservations()
        .stream()
        .flatMap(reservation -> reservation.instances().stream())
        .collect(Collectors.toMap(Instance::instanceId, i -> i.state().nameAsString()));
  }
}
