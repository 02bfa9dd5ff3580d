package dev.mayfly.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real OpenSSH servers ({@link SshdHosts}) shared by the tests of one class: started before the
 * first, left idle (link up, nothing of a test still running) after each, removed after the last.
 * Register it as {@code @RegisterExtension static final SshdHostsFixture hosts = new
 * SshdHostsFixture(3, 0);}.
 */
public final class SshdHostsFixture
    implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
  private final int count;
  private final int silent;
  private Path shared;
  private SshdHosts hosts;

  /**
   * @param count servers that answer
   * @param silent addresses more where nothing listens
   */
  public SshdHostsFixture(int count, int silent) {
    this.count = count;
    this.silent = silent;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    shared = Files.createTempDirectory("mayfly-sshd-");
    hosts = SshdHosts.start(shared.resolve("hosts"), count, silent);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    idle();
  }

  /** Every host's link up and nothing of a test left running on it. */
  public void idle() {
    for (SshdHosts.Host h : hosts.all()) {
      h.linkUp();
      h.killOthers();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (hosts != null) {
      hosts.close();
    }
    if (shared != null) {
      Trees.delete(shared);
    }
  }

  public SshdHosts.Host host(int i) {
    return hosts.host(i);
  }

  public List<SshdHosts.Host> all() {
    return hosts.all();
  }

  public Path userKey() {
    return hosts.userKey();
  }

  public String[] launchArgs(Path template, String name, SshdHosts.Host on) {
    return hosts.launchArgs(template, name, on);
  }
}
