package dev.mayfly.provider.ec2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.bench.MotoServer;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.LaunchRequest;
import dev.mayfly.provider.Provider;
import dev.mayfly.store.Registry;
import dev.mayfly.testing.DemoCopy;
import dev.mayfly.testing.MayflyCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ec2.model.Filter;

/**
 * What goes wrong before an instance runs (no credentials, wrong region, unknown image, a full
 * account, throttling, an endpoint that does not answer) ends with one clear line and no instance
 * left behind. moto never refuses for limits or throttles, so {@link FaultProxy} answers those the
 * way AWS does.
 */
class Ec2BadInputIT {
  @RegisterExtension static final MotoWorld world = new MotoWorld();

  @TempDir Path home;

  /** The demo checkout and a targets file with one ec2 target called {@code cloud}. */
  private MayflyCli mayfly(String targetLines) throws IOException {
    DemoCopy demo = new DemoCopy(home.resolve("checkout"));
    MotoWorld.writeCredentials(home);
    Path file = home.resolve(".config/mayfly/targets.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        "targets:\n  cloud:\n    provider: ec2\n    poll: 50ms\n    max-attempts: 3\n"
            + "    api-timeout: 10s\n"
            + targetLines.indent(4));
    return new MayflyCli(home, demo.root());
  }

  private static String onMoto(String endpoint) {
    return "endpoint: " + endpoint + "\nregion: " + MotoServer.REGION + "\nprofile: moto\n";
  }

  private static void assertOneLine(MayflyCli.Result r, int exit, String expected) {
    assertEquals(exit, r.exit(), r::toString);
    assertEquals(1, r.err().lines().count(), () -> "exactly one line: " + r);
    assertTrue(r.err().startsWith("mayfly: "), r::toString);
    assertTrue(r.err().contains(expected), () -> "'" + expected + "' in " + r);
  }

  /** No instance, key pair or group tagged with the deployment, whatever its name. */
  private static void assertNothingLeft(String deploymentId) {
    Filter tagged = Filter.builder().name("tag:mayfly:deployment").values(deploymentId).build();
    assertEquals(List.of(), world.instances(deploymentId), "no instance of " + deploymentId);
    assertEquals(0, world.observer.describeKeyPairs(r -> r.filters(tagged)).keyPairs().size());
    assertEquals(
        0, world.observer.describeSecurityGroups(r -> r.filters(tagged)).securityGroups().size());
  }

  @Test
  void missingCredentialsStopTheLaunchBeforeAnythingIsRecorded() throws IOException {
    MayflyCli mayfly =
        mayfly(
            "endpoint: "
                + world.moto.endpoint()
                + "\nregion: us-east-1\nimage: "
                + MotoServer.IMAGE
                + "\n");
    MayflyCli.Result r =
        mayfly.run(
            "--profile",
            "nobody",
            "launch",
            "qa-results",
            "--target",
            "cloud",
            "--name",
            "no-creds");
    assertOneLine(r, 2, "target 'cloud': no AWS credentials (profile 'nobody' is not in ");
    assertFalse(r.err().contains("testing"), "no key material in messages");
    assertNothingLeft("no-creds");
    assertFalse(mayfly.run("list").out().contains("no-creds"), "refused before the registry row");
  }

  @Test
  void aRegionAwsDoesNotHaveIsRefusedWithoutCallingAnything() throws IOException {
    MayflyCli mayfly =
        mayfly("region: us-nowhere-1\nprofile: moto\nimage: " + MotoServer.IMAGE + "\n");
    MayflyCli.Result r =
        mayfly.run("launch", "qa-results", "--target", "cloud", "--name", "no-region");
    assertOneLine(r, 2, "target 'cloud': region: 'us-nowhere-1' is not an AWS region");
  }

  @Test
  void anUnknownImageIsBadInputAndCleansUpKeyAndGroup() throws IOException {
    MayflyCli mayfly = mayfly(onMoto(world.moto.endpoint()) + "image: ami-0000000000000dead\n");
    MayflyCli.Result r =
        mayfly.run("launch", "qa-results", "--target", "cloud", "--name", "no-image");
    assertOneLine(r, 2, "image 'ami-0000000000000dead' does not exist in region us-east-1");
    assertNothingLeft("no-image");
    assertTrue(mayfly.run("list").out().contains("failed"), "the recorded launch is marked failed");
  }

  @Test
  void aFullAccountFailsWithTheLimitNamedAndNoInstance() throws IOException {
    try (FaultProxy proxy =
        new FaultProxy(world.moto.endpoint())
            .fail(
                "RunInstances",
                new FaultProxy.Fault(
                    -1,
                    400,
                    "InstanceLimitExceeded",
                    "Your quota allows for 0 more running instance(s). You requested at least 2"))) {
      MayflyCli mayfly = mayfly(onMoto(proxy.endpoint()) + "image: " + MotoServer.IMAGE + "\n");
      MayflyCli.Result r =
          mayfly.run("launch", "qa-results", "--target", "cloud", "-n", "2", "--name", "full");
      assertOneLine(
          r,
          1,
          "refused by the account's limits (InstanceLimitExceeded: Your quota allows for 0 more");
      assertNothingLeft("full");
    }
  }

  @Test
  void endlessThrottlingIsRetriedThenGivesUpWithOneLine() throws IOException {
    try (FaultProxy proxy =
        new FaultProxy(world.moto.endpoint())
            .fail(
                "RunInstances",
                new FaultProxy.Fault(-1, 503, "RequestLimitExceeded", "Request limit exceeded."))) {
      MayflyCli mayfly = mayfly(onMoto(proxy.endpoint()) + "image: " + MotoServer.IMAGE + "\n");
      MayflyCli.Result r =
          mayfly.run("launch", "qa-results", "--target", "cloud", "--name", "throttled");
      assertOneLine(r, 1, "EC2 kept throttling requests (RequestLimitExceeded) through 3 attempts");
      assertEquals(
          3, proxy.requests("RunInstances").size(), "the SDK's retry strategy tried 3 times");
      assertNothingLeft("throttled");
    }
  }

  @Test
  void throttledRunInstancesIsRetriedWithTheSameClientTokenAndStartsEachInstanceOnce()
      throws IOException {
    try (FaultProxy proxy =
        new FaultProxy(world.moto.endpoint())
            .fail(
                "RunInstances",
                new FaultProxy.Fault(2, 503, "RequestLimitExceeded", "Request limit exceeded."))) {
      Map<String, String> settings = world.settings(home);
      settings.put("endpoint", proxy.endpoint());
      settings.put("max-attempts", "4");
      List<Host> hosts;
      String token;
      try (Registry registry = Registry.open(Files.createDirectories(home.resolve("state")));
          Provider ec2 =
              new Ec2ProviderFactory(world.wiring())
                  .create(MotoWorld.context(registry, home.resolve("state"), settings))) {
        hosts =
            ec2.launch(
                    new LaunchRequest(
                        "patient",
                        "qa-results",
                        2,
                        Map.of("http", 8080),
                        Instant.now().plusSeconds(3600),
                        Map.of()))
                .hosts();
        token = MotoWorld.resourceName(registry, "patient");
      }
      assertEquals(2, hosts.size());
      List<String> tokens =
          proxy.requests("RunInstances").stream().map(r -> r.get("ClientToken")).toList();
      assertEquals(List.of(token, token, token), tokens);
      assertEquals(2, world.live("patient").size());
    }
  }

  @Test
  void anEndpointThatDoesNotAnswerFailsWithOneLine() throws IOException {
    String nobody = "http://127.0.0.1:" + MotoServer.freePort() + "/";
    MayflyCli mayfly = mayfly(onMoto(nobody) + "image: " + MotoServer.IMAGE + "\n");
    MayflyCli.Result r =
        mayfly.run("launch", "qa-results", "--target", "cloud", "--name", "unreachable");
    String keyPair;
    try (Registry registry = Registry.open(mayfly.stateDir())) {
      keyPair = MotoWorld.resourceName(registry, "unreachable");
    }
    assertOneLine(
        r,
        1,
        "target 'cloud' ("
            + nobody
            + "): importing key pair "
            + keyPair
            + ": cannot reach the"
            + " EC2 endpoint (ConnectException");
    assertNothingLeft("unreachable");
  }
}
