package dev.mayfly.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "forget-host",
    description = {
      "Forget the pinned SSH host key of a server, so the next contact pins the key it shows then.",
      "Only after the server's owner confirmed it was rebuilt: a changed key can also mean an attack."
    })
final class ForgetHostCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(
      paramLabel = "ADDR[:PORT]",
      description = "The server, as mayfly's error named it (port 22 if left out).")
  String hostPort;

  @Override
  public Integer call() {
    boolean forgotten = main.deployments().forgetHostKey(hostPort);
    main.out()
        .println(
            forgotten
                ? "forgot the host key of " + hostPort
                : "no host key pinned for " + hostPort);
    main.out().flush();
    return 0;
  }
}
