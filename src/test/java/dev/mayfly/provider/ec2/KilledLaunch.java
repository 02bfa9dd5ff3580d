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
import java.util.List;
import java.util.Map;

/**
 * A mayfly launch in a process of its own, for {@code ReaperIT} to kill with SIGKILL once
 * RunInstances has happened. Its instances never become reachable (the resolver blocks), so the
 * process is always somewhere between RunInstances and "ssh port open" when it dies, and never
 * contacts an instance.
 *
 * <p>Arguments: HOME (with the targets file and AWS credentials), state folder, templates folder,
 * deployment id, count.
 */
public final class KilledLaunch {
  private KilledLaunch() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> env = Map.of("HOME", args[0]);
    Path state = Path.of(args[1]);
    Ec2Wiring neverReachable =
        Ec2Wiring.standard()
            .withResolver(
                (id, address) -> {
                  try {
                    Thread.sleep(Long.MAX_VALUE);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  throw new IllegalStateException("interrupted");
                });
    Providers providers = Providers.installed().with(new Ec2ProviderFactory(neverReachable));
    try (Registry registry = Registry.open(state)) {
      Deployments deployments =
          new Deployments(
              state,
              registry,
              new TemplateCatalog(List.of(Path.of(args[2]))),
              providers,
              Targets.load(env, null, providers::settingNames),
              Clock.systemUTC(),
              env);
      deployments.launch(
          new LaunchOptions(
              "qa-results",
              null,
              List.of(),
              "2d",
              args[3],
              "cloud",
              Integer.parseInt(args[4]),
              4,
              List.of()),
          Progress.SILENT);
    }
  }
}
