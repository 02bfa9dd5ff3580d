package dev.mayfly.bench;

import dev.mayfly.provider.LaunchRequest;
import dev.mayfly.provider.Provider;
import dev.mayfly.provider.ProviderContext;
import dev.mayfly.provider.ec2.Ec2ProviderFactory;
import dev.mayfly.provider.ec2.Ec2Wiring;
import dev.mayfly.store.Registry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code ec2-calls}: EC2 API calls (every attempt, counted by an SDK execution interceptor) for
 * launch + wait + terminate of N = 1, 10, 100 instances against a real moto_server. The waits must
 * cost one call per poll round whatever N: the result is calls per round at N=100 over calls per
 * round at N=1 (target 1.0). The "ssh port open" wait connects to a listener here, never to moto's
 * made-up addresses.
 */
final class Ec2Calls {
  private static final int[] SIZES = {1, 10, 100};

  private Ec2Calls() {}

  static void run(Path work) throws IOException {
    Path credentials = work.resolve("credentials");
    Files.writeString(
        credentials, "[bench]\naws_access_key_id = bench\naws_secret_access_key = bench\n");
    try (MotoServer moto = MotoServer.start();
        AcceptingPort sshPort = new AcceptingPort()) {
      Map<String, String> settings =
          Map.of(
              "target",
              "moto",
              "region",
              MotoServer.REGION,
              "endpoint",
              moto.endpoint(),
              "image",
              MotoServer.IMAGE,
              "profile",
              "bench",
              "credentials-file",
              credentials.toString(),
              "config-file",
              work.resolve("config").toString(),
              "poll",
              "100ms");
      List<Row> rows = new ArrayList<>();
      for (int n : SIZES) {
        rows.add(measure(n, work, settings, sshPort.port()));
      }
      print(rows);
    }
  }

  private record Row(int n, Map<String, Integer> byOperation, int rounds, int roundCalls) {
    int total() {
      return byOperation.values().stream().mapToInt(Integer::intValue).sum();
    }

    double perRound() {
      return rounds == 0 ? 0 : (double) roundCalls / rounds;
    }
  }

  private static Row measure(int n, Path work, Map<String, String> settings, int sshPort)
      throws IOException {
    Map<String, Integer> byOperation = new TreeMap<>();
    int[] rounds = {0, 0};
    Ec2Wiring.ApiListener listener =
        new Ec2Wiring.ApiListener() {
          @Override
          public synchronized void called(String operation) {
            byOperation.merge(operation, 1, Integer::sum);
          }

          @Override
          public synchronized void pollRound(String waitName, int apiCalls) {
            rounds[0]++;
            rounds[1] += apiCalls;
          }
        };
    Ec2Wiring wiring =
        Ec2Wiring.standard()
            .withListener(listener)
            .withResolver((id, address) -> new Ec2Wiring.Reach(MotoServer.HOST, sshPort));
    String id = "bench-" + n;
    Path state = work.resolve("state");
    try (Registry registry = Registry.open(Files.createDirectories(state));
        Provider ec2 =
            new Ec2ProviderFactory(wiring)
                .create(
                    new ProviderContext(
                        state, settings, null, null, "moto", Map.of(), Optional.of(registry)))) {
      var hosts =
          ec2.launch(
                  new LaunchRequest(
                      id,
                      "qa-results",
                      n,
                      Map.of("http", 8080),
                      Instant.now().plusSeconds(3600),
                      Map.of()))
              .hosts();
      if (hosts.size() != n) {
        throw new IllegalStateException("launched " + hosts.size() + " of " + n);
      }
      ec2.terminate(id, hosts);
    }
    return new Row(n, byOperation, rounds[0], rounds[1]);
  }

  private static void print(List<Row> rows) {
    TreeMap<String, Boolean> operations = new TreeMap<>();
    rows.forEach(r -> r.byOperation().keySet().forEach(op -> operations.put(op, true)));
    System.out.printf("%-32s", "CALLS \\ N");
    rows.forEach(r -> System.out.printf("%8d", r.n()));
    System.out.println();
    for (String op : operations.keySet()) {
      System.out.printf("%-32s", op);
      rows.forEach(r -> System.out.printf("%8d", r.byOperation().getOrDefault(op, 0)));
      System.out.println();
    }
    System.out.printf("%-32s", "total");
    rows.forEach(r -> System.out.printf("%8d", r.total()));
    System.out.println();
    System.out.printf("%-32s", "poll rounds");
    rows.forEach(r -> System.out.printf("%8d", r.rounds()));
    System.out.println();
    System.out.printf("%-32s", "calls per poll round");
    rows.forEach(r -> System.out.printf(Locale.ROOT, "%8.2f", r.perRound()));
    System.out.println();
    double growth = rows.get(rows.size() - 1).perRound() / rows.get(0).perRound();
    System.out.printf(Locale.ROOT, "RESULT ec2-calls per-poll-round-growth=%.2f%n", growth);
  }
}
