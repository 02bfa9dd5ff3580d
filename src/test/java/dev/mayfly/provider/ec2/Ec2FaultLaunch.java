package dev.mayfly.provider.ec2;

import dev.mayfly.deploy.Deployments;
import dev.mayfly.deploy.LaunchOptions;
import dev.mayfly.deploy.Progress;
import dev.mayfly.provider.Providers;
import dev.mayfly.store.Registry;
import dev.mayfly.target.Targets;
import dev.mayfly.template.TemplateCatalog;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A mayfly launch on the ec2 target in a process of its own, for {@code Ec2FaultMatrixIT} to kill
 * with SIGKILL: every instance moto starts is reached at one sshd host of the harness, and each
 * finished step is printed to stderr as {@code mayfly launch} prints it ({@code HOST STEP done}).
 *
 * <p>Arguments: HOME (targets file and AWS credentials), state folder, template file, deployment
 * id, the sshd host's address, the private key it accepts.
 */
public final class Ec2FaultLaunch {
  private Ec2FaultLaunch() {}

  public static void main(String[] args) {
    Map<String, String> env = Map.of("HOME", args[0]);
    Path state = Path.of(args[1]);
    Providers providers = Providers.installed().with(new Ec2ProviderFactory(toSshd(args[4])));
    Progress printed =
        new Progress() {
          @Override
          public void started(String host, String step) {}

          @Override
          public void finished(String host, String step, Duration elapsed, String failure) {
            System.err.println(
                host + " " + step + (failure == null ? " done" : " FAILED " + failure));
            System.err.flush();
          }
        };
    try (Registry registry = Registry.open(state)) {
      Deployments deployments =
          new Deployments(
              state,
              registry,
              new TemplateCatalog(List.of()),
              providers,
              Targets.load(env, null, providers::settingNames),
              Clock.systemUTC(),
              env);
      deployments.launch(
          new LaunchOptions(
              null,
              Path.of(args[2]),
              List.of(),
              "2h",
              args[3],
              "cloud",
              1,
              1,
              List.of(),
              null,
              args[5],
              null,
              "30s"),
          printed);
    }
  }

  /**
   * Every instance is the harness host at {@code address}; moto's own addresses are never
   * contacted.
   */
  static Ec2Wiring toSshd(String address) {
    return Ec2Wiring.standard()
        .withResolver((instanceId, ignoredMotoAddress) -> new Ec2Wiring.Reach(address, 22));
  }
}
