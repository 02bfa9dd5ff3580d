package dev.mayfly.deploy;

import dev.mayfly.store.HostRow;
import dev.mayfly.store.HostState;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A test with a fresh {@link DeployHome} per test method, whose deployment is {@code demo-1}. */
abstract class DeployHomeTest {
  @TempDir Path dir;
  DeployHome home;

  @BeforeEach
  void open() {
    home = new DeployHome(dir);
  }

  @AfterEach
  void close() {
    home.close();
  }

  /** Each host of {@code demo-1} and its state in the registry. */
  Map<String, HostState> hostStates() {
    return home.registry.hosts("demo-1").stream()
        .collect(Collectors.toMap(HostRow::hostId, HostRow::state));
  }
}
