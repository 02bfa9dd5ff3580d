package dev.mayfly.provider.ec2;

import dev.mayfly.bench.AcceptingPort;
import dev.mayfly.bench.MotoServer;
import dev.mayfly.provider.ProviderContext;
import dev.mayfly.store.Registry;
import dev.mayfly.testing.SshdHosts;
import dev.mayfly.testing.SshdHostsFixture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.Reservation;

/**
 * A real moto_server plus what the tests need around it: an observer client to check what EC2
 * reports, a credentials file in a test home, and a local listener standing in for the instances'
 * sshd port, so the "ssh port open" wait runs for real without touching moto's made-up addresses.
 */
final class MotoWorld implements BeforeAllCallback, AfterAllCallback {
  static final String PROFILE = "moto";
  MotoServer moto;
  Ec2Client observer;
  private AcceptingPort sshPort;

  /**
   * Registered per test class: {@code @RegisterExtension static final MotoWorld world = new
   * MotoWorld();}
   */
  MotoWorld() {}

  @Override
  public void beforeAll(ExtensionContext context) {
    moto = MotoServer.start();
    observer =
        Ec2Client.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(URI.create(moto.endpoint()))
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .build();
    sshPort = new AcceptingPort();
  }

  /** Writes {@code [moto]} into {@code home/.aws/credentials}. */
  static void writeCredentials(Path home) {
    try {
      Files.createDirectories(home.resolve(".aws"));
      Files.writeString(
          home.resolve(".aws/credentials"),
          "[" + PROFILE + "]\naws_access_key_id = testing\naws_secret_access_key = testing\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes the {@code [moto]} credentials and a targets file in {@code home} whose {@code cloud}
   * target is the EC2 at {@code endpoint} (this moto, or a proxy in front of it).
   *
   * @param settings more target lines, {@code "poll: 100ms"}
   */
  static void writeCloudTarget(Path home, String endpoint, String... settings) {
    writeCredentials(home);
    StringBuilder yaml =
        new StringBuilder("targets:\n  cloud:\n    provider: ec2\n")
            .append("    endpoint: ")
            .append(endpoint)
            .append("\n    region: ")
            .append(MotoServer.REGION)
            .append("\n    image: ")
            .append(MotoServer.IMAGE)
            .append("\n    profile: ")
            .append(PROFILE)
            .append('\n');
    for (String line : settings) {
      yaml.append("    ").append(line).append('\n');
    }
    try {
      Path file = home.resolve(".config/mayfly/targets.yaml");
      Files.createDirectories(file.getParent());
      Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code cloud} is this moto, its instances reached as the test user over ssh. */
  void writeSshCloudTarget(Path home, String... settings) {
    List<String> lines = new ArrayList<>(List.of("ssh-user: " + System.getProperty("user.name")));
    lines.addAll(List.of(settings));
    writeCloudTarget(home, moto.endpoint(), lines.toArray(String[]::new));
  }

  /**
   * Reaches each new instance at the next free sshd host, in the order mayfly first asks: moto's
   * addresses are made up.
   *
   * @param hostOf filled with the instance id to host it was given
   */
  static Ec2Wiring sshdWiring(SshdHostsFixture hosts, Map<String, SshdHosts.Host> hostOf) {
    AtomicInteger next = new AtomicInteger();
    return Ec2Wiring.standard()
        .withResolver(
            (instanceId, ignoredMotoAddress) ->
                new Ec2Wiring.Reach(
                    hostOf
                        .computeIfAbsent(instanceId, k -> hosts.host(next.getAndIncrement()))
                        .address(),
                    22));
  }

  /** An ec2 target on this moto with short, test-sized waits. */
  Map<String, String> settings(Path home) {
    writeCredentials(home);
    Map<String, String> s = new LinkedHashMap<>();
    s.put("target", "moto");
    s.put("region", MotoServer.REGION);
    s.put("endpoint", moto.endpoint());
    s.put("image", MotoServer.IMAGE);
    s.put("profile", PROFILE);
    s.put("credentials-file", home.resolve(".aws/credentials").toString());
    s.put("config-file", home.resolve(".aws/config").toString());
    s.put("poll", "50ms");
    s.put("running-timeout", "20s");
    s.put("ssh-timeout", "5s");
    s.put("terminate-timeout", "20s");
    s.put("max-attempts", "3");
    s.put("api-timeout", "20s");
    return s;
  }

  /**
   * What mayfly makes a provider with for work on the target: its settings and the registry it
   * works for.
   */
  static ProviderContext context(Registry registry, Path stateDir, Map<String, String> settings) {
    return new ProviderContext(
        stateDir, settings, null, null, settings.get("target"), Map.of(), Optional.of(registry));
  }

  /**
   * The name of the key pair and group the registry's deployment gets: its id's first 8 hex digits
   * in it.
   */
  static String resourceName(Registry registry, String deploymentId) {
    return "mayfly-" + registry.id().substring(0, 8) + "-" + deploymentId;
  }

  /** Resolves every instance to the local stand-in for its sshd port. */
  Ec2Wiring wiring() {
    return Ec2Wiring.standard()
        .withResolver((id, address) -> new Ec2Wiring.Reach(MotoServer.HOST, sshPort.port()));
  }

  /** Every instance tagged with the deployment, in any state. */
  List<Instance> instances(String deploymentId) {
    List<Instance> all = new ArrayList<>();
    for (var page :
        observer.describeInstancesPaginator(
            r ->
                r.filters(
                    Filter.builder()
                        .name("tag:" + Ec2Tags.DEPLOYMENT)
                        .values(deploymentId)
                        .build()))) {
      for (Reservation reservation : page.reservations()) {
        all.addAll(reservation.instances());
      }
    }
    return all;
  }

  List<Instance> live(String deploymentId) {
    return instances(deploymentId).stream()
        .filter(i -> !List.of("terminated", "shutting-down").contains(i.state().nameAsString()))
        .toList();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (sshPort != null) {
      sshPort.close();
    }
    if (observer != null) {
      observer.close();
    }
    if (moto != null) {
      moto.close();
    }
  }
}
