package dev.mayfly.deploy;

import dev.mayfly.MayflyException;
import dev.mayfly.host.HostShell;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.LaunchRequest;
import dev.mayfly.provider.Launched;
import dev.mayfly.provider.OwnedHost;
import dev.mayfly.provider.Provider;
import dev.mayfly.provider.ProviderContext;
import dev.mayfly.provider.ProviderFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider of in-memory hosts ({@code host-1}..{@code host-N} on 127.0.0.1, their health port the
 * test's), whose shells are {@link FakeShell}s. It can be told to report a slot as failed at
 * launch, or to fail one step on one host; it records what was asked of it.
 */
final class FakeProvider implements Provider {
  static final String NAME = "fake";

  private final int healthPort;
  private final Map<String, String> failedSlots = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> failingSteps = new ConcurrentHashMap<>();
  private final Map<String, FakeHost> hosts = Collections.synchronizedMap(new LinkedHashMap<>());
  private final AtomicInteger openNow = new AtomicInteger();
  private final AtomicInteger mostOpenAtOnce = new AtomicInteger();

  /** Host ids in the order shells were opened on them. */
  final List<String> opened = new CopyOnWriteArrayList<>();

  final List<LaunchRequest> launches = new CopyOnWriteArrayList<>();
  final List<String> terminated = new CopyOnWriteArrayList<>();

  /**
   * What {@link #owned()} lists: the tests say which hosts, tags and registries the backend shows.
   */
  final List<OwnedHost> listed = new CopyOnWriteArrayList<>();

  /** Each host's own expiry tag, as launch and extend set it. */
  final Map<String, Instant> tags = new ConcurrentHashMap<>();

  private final Map<String, Runnable> stepHooks = new ConcurrentHashMap<>();
  private volatile String failExtendOn;
  private volatile String failTerminate;
  private volatile String failLaunch;

  /** How often terminate was called, whatever hosts it was given. */
  final AtomicInteger terminateCalls = new AtomicInteger();

  private volatile boolean endsHosts = true;

  /** What one host has been through. */
  static final class FakeHost {
    final String id;
    final List<String> releases = new ArrayList<>();
    final List<String> steps = new CopyOnWriteArrayList<>();
    String current;
    boolean destroyed;

    FakeHost(String id) {
      this.id = id;
    }
  }

  FakeProvider(int healthPort) {
    this.healthPort = healthPort;
  }

  /** The provider reports {@code slot} ({@code host-3}) as not come up, with {@code why}. */
  FakeProvider failAtLaunch(String slot, String why) {
    failedSlots.put(slot, why);
    return this;
  }

  /** Step {@code step} of the host script exits 1 on {@code hostId}. */
  FakeProvider failStep(String hostId, String step) {
    failingSteps.computeIfAbsent(hostId, k -> ConcurrentHashMap.newKeySet()).add(step);
    return this;
  }

  /**
   * Runs {@code hook} whenever a host starts {@code step} (before it answers), to hold it or count
   * it.
   */
  FakeProvider onStep(String step, Runnable hook) {
    stepHooks.put(step, hook);
    return this;
  }

  void beforeStep(String step) {
    stepHooks.getOrDefault(step, () -> {}).run();
  }

  /**
   * Extend moves the hosts' tags in order and fails at {@code hostId}, leaving it and later ones as
   * they were.
   */
  FakeProvider failExtendOn(String hostId) {
    failExtendOn = hostId;
    return this;
  }

  /** Launch throws, as a cloud API call that failed half-way would. */
  FakeProvider failLaunch(String why) {
    failLaunch = why;
    return this;
  }

  /** Terminate fails as a cloud API call would. */
  FakeProvider failTerminate(String why) {
    failTerminate = why;
    return this;
  }

  /** Hosts are servers mayfly does not own, as on the ssh target: terminate leaves them running. */
  FakeProvider keepsHosts() {
    endsHosts = false;
    return this;
  }

  /** {@code hostId}'s steps work again (its owner fixed it). */
  FakeProvider stopFailing(String hostId) {
    failingSteps.remove(hostId);
    return this;
  }

  boolean fails(String hostId, String step) {
    return failingSteps.getOrDefault(hostId, Set.of()).contains(step);
  }

  FakeHost host(String id) {
    return hosts.get(id);
  }

  /** The most shells open at the same time. */
  int mostOpenAtOnce() {
    return mostOpenAtOnce.get();
  }

  ProviderFactory factory() {
    FakeProvider self = this;
    return new ProviderFactory() {
      @Override
      public String name() {
        return NAME;
      }

      @Override
      public Provider create(Path stateDir, Map<String, String> settings) {
        return self;
      }

      @Override
      public Provider create(ProviderContext context) {
        return self;
      }
    };
  }

  @Override
  public Launched launch(LaunchRequest request) {
    launches.add(request);
    if (failLaunch != null) {
      throw MayflyException.failed(failLaunch);
    }
    List<Host> up = new ArrayList<>();
    Map<String, String> failed = new LinkedHashMap<>();
    for (int i = 1; i <= request.count(); i++) {
      String slot = "host-" + i;
      if (failedSlots.containsKey(slot)) {
        failed.put(slot, failedSlots.get(slot));
        continue;
      }
      hosts.put(slot, new FakeHost(slot));
      if (request.expiresAt() != null) {
        tags.put(slot, request.expiresAt());
      }
      up.add(new Host(slot, "127.0.0.1", Map.of("http", healthPort), Optional.empty()));
    }
    return new Launched(up, failed);
  }

  @Override
  public List<Host> describe(String deploymentId) {
    return List.of();
  }

  @Override
  public void terminate(String deploymentId, List<Host> ended) {
    terminateCalls.incrementAndGet();
    if (failTerminate != null) {
      throw MayflyException.failed(failTerminate);
    }
    ended.forEach(h -> terminated.add(h.id()));
  }

  @Override
  public boolean endsHosts() {
    return endsHosts;
  }

  @Override
  public void extend(String deploymentId, List<Host> extended, Instant newExpiry) {
    for (Host h : extended) {
      if (h.id().equals(failExtendOn)) {
        throw MayflyException.failed(h.id() + ": the expiry tag could not be moved");
      }
      if (newExpiry == null) {
        tags.remove(h.id());
      } else {
        tags.put(h.id(), newExpiry);
      }
    }
  }

  @Override
  public HostShell open(Host host) {
    FakeHost fake = hosts.get(host.id());
    opened.add(host.id());
    mostOpenAtOnce.accumulateAndGet(openNow.incrementAndGet(), Math::max);
    return new FakeShell(this, fake);
  }

  void closed(FakeHost host) {
    openNow.decrementAndGet();
  }

  @Override
  public boolean hostsSeeControllerFiles() {
    return true;
  }

  @Override
  public List<OwnedHost> owned() {
    return List.copyOf(listed);
  }
}
