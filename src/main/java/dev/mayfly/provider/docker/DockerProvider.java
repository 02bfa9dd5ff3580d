package dev.mayfly.provider.docker;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.Volume;
import dev.mayfly.MayflyException;
import dev.mayfly.host.HostShell;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.LaunchRequest;
import dev.mayfly.provider.Launched;
import dev.mayfly.provider.OwnedHost;
import dev.mayfly.provider.Provider;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Hosts that are containers on a Docker engine, reached through its API ({@link DockerShell}). Each
 * deployment gets a bridge network; each host a container from the target's image, running only
 * {@code sleep infinity} under the engine's init until mayfly execs into it, with a named volume on
 * {@code /root} (where the default deployment root lives). The template's ports are published on
 * 127.0.0.1 at ports picked free here, and the service listens on the same number inside, so the
 * env file's {@code MAYFLY_PORT_*} and the URL agree. Everything carries {@link DockerLabels};
 * terminate removes the deployment's containers, volumes and network, only those of this registry.
 */
final class DockerProvider implements Provider {
  private static final String LOOPBACK = "127.0.0.1";

  /** The template's ports, {@code http=34567,admin=34568}, so describe can name them again. */
  static final String PORTS_LABEL = "mayfly:ports";

  private static final int PORT_ATTEMPTS = 5;

  /** Ports this process picked recently: two hosts launched at once never get the same. */
  private static final Set<Integer> PICKED = new HashSet<>();

  private final DockerEngine engine;
  private final Optional<String> registryId;

  DockerProvider(DockerEngine engine, Optional<String> registryId) {
    this.engine = engine;
    this.registryId = registryId;
  }

  private String registry() {
    return registryId.orElseThrow(
        () ->
            new MayflyException(
                MayflyException.Exit.INTERNAL, "docker target made without a registry id"));
  }

  @Override
  public Launched launch(LaunchRequest request) {
    engine.requireImage();
    String registry = registry();
    String id = request.deploymentId();
    String prefix = DockerLabels.prefix(registry, id);
    String network = network(registry, id, prefix, request);
    List<Host> hosts = new ArrayList<>();
    Map<String, String> failed = new LinkedHashMap<>();
    Map<String, Container> existing = new LinkedHashMap<>();
    for (Container c : containers(DockerLabels.mine(registry, id))) {
      existing.put(name(c), c);
    }
    for (int i = 1; i <= request.count(); i++) {
      String name = prefix + "-" + i;
      try {
        Container found = existing.remove(name);
        hosts.add(
            found != null && "running".equals(found.getState())
                ? host(found)
                : create(request, registry, network, name, i, found != null));
      } catch (MayflyException e) {
        failed.put(name, e.getMessage());
      }
    }
    // a retried launch with a smaller count ends the containers beyond it
    existing.values().forEach(this::remove);
    return new Launched(hosts, failed);
  }

  /** The deployment's network, made once with its labels. */
  private String network(String registry, String id, String prefix, LaunchRequest request) {
    boolean exists =
        engine
            .call(
                "list networks",
                () ->
                    engine
                        .client()
                        .listNetworksCmd()
                        .withFilter("label", DockerLabels.mine(registry, id))
                        .exec())
            .stream()
            .anyMatch(n -> prefix.equals(n.getName()));
    if (!exists) {
      engine.run(
          "create network " + prefix,
          () ->
              engine
                  .client()
                  .createNetworkCmd()
                  .withName(prefix)
                  .withDriver("bridge")
                  .withCheckDuplicate(true)
                  .withLabels(DockerLabels.of(registry, id, null, request.expiresAt()))
                  .exec());
    }
    return prefix;
  }

  private Host create(
      LaunchRequest request,
      String registry,
      String network,
      String name,
      int index,
      boolean stale) {
    if (stale) {
      removeContainer(name);
    }
    Map<String, String> labels =
        DockerLabels.of(registry, request.deploymentId(), request.template(), request.expiresAt());
    labels.put(DockerLabels.HOST, Integer.toString(index));
    String volume = name + "-root";
    if (engine.find(
            "inspect volume " + volume, () -> engine.client().inspectVolumeCmd(volume).exec())
        == null) {
      engine.run(
          "create volume " + volume,
          () -> engine.client().createVolumeCmd().withName(volume).withLabels(labels).exec());
    }
    MayflyException last = null;
    for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      Map<String, Integer> ports = pickPorts(request.ports().keySet());
      Map<String, String> withPorts = new LinkedHashMap<>(labels);
      withPorts.put(PORTS_LABEL, portsLabel(ports));
      List<ExposedPort> exposed = new ArrayList<>();
      List<PortBinding> bindings = new ArrayList<>();
      for (int port : ports.values()) {
        ExposedPort p = ExposedPort.tcp(port);
        exposed.add(p);
        bindings.add(new PortBinding(Ports.Binding.bindIpAndPort(LOOPBACK, port), p));
      }
      HostConfig hostConfig =
          HostConfig.newHostConfig()
              .withInit(true)
              .withNetworkMode(network)
              .withBinds(new Bind(volume, new Volume("/root")))
              .withPortBindings(bindings);
      String containerId =
          engine.call(
              "create container " + name,
              () ->
                  engine
                      .client()
                      .createContainerCmd(engine.settings.image())
                      .withName(name)
                      .withHostName(hostName(request.deploymentId(), index))
                      .withLabels(withPorts)
                      .withEntrypoint("sleep", "infinity")
                      .withCmd(List.of())
                      .withExposedPorts(exposed)
                      .withHostConfig(hostConfig)
                      .exec()
                      .getId());
      try {
        engine.run(
            "start container " + name, () -> engine.client().startContainerCmd(containerId).exec());
        return new Host(name, LOOPBACK, ports, Optional.empty());
      } catch (MayflyException e) {
        removeContainer(name);
        last = e;
        String why = String.valueOf(e.getMessage());
        if (!why.contains("already allocated") && !why.contains("address already in use")) {
          throw e;
        }
      }
    }
    throw last;
  }

  /** A hostname inside the container: the deployment and the host's number, at most 63 chars. */
  private static String hostName(String deploymentId, int index) {
    String suffix = "-" + index;
    String base = deploymentId.replaceAll("[^A-Za-z0-9-]", "-");
    return base.substring(0, Math.min(base.length(), 63 - suffix.length())) + suffix;
  }

  private static Map<String, Integer> pickPorts(Set<String> names) {
    Map<String, Integer> ports = new LinkedHashMap<>();
    synchronized (PICKED) {
      for (String name : names) {
        ports.put(name, freePort());
      }
    }
    return ports;
  }

  /** A port free on 127.0.0.1 now and not picked by this process before; PICKED held. */
  private static int freePort() {
    for (int attempt = 0; attempt < 100; attempt++) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
        if (PICKED.add(socket.getLocalPort())) {
          return socket.getLocalPort();
        }
      } catch (IOException e) {
        throw MayflyException.failed("no free port on " + LOOPBACK + ": " + e.getMessage());
      }
    }
    throw MayflyException.failed("no free port on " + LOOPBACK);
  }

  private static String portsLabel(Map<String, Integer> ports) {
    return ports.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }

  /** A container as a host: its published ports by the template's names, from its label. */
  private static Host host(Container c) {
    Map<String, Integer> ports = new LinkedHashMap<>();
    String label = DockerLabels.value(c.getLabels(), PORTS_LABEL).orElse("");
    for (String pair : label.split(",")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        try {
          ports.put(pair.substring(0, eq), Integer.parseInt(pair.substring(eq + 1)));
        } catch (NumberFormatException ignored) {
          // a label someone else changed: that port is unknown
        }
      }
    }
    return new Host(name(c), LOOPBACK, ports, Optional.empty());
  }

  private static String name(Container c) {
    String[] names = c.getNames();
    String first = names == null || names.length == 0 ? c.getId() : names[0];
    return first.startsWith("/") ? first.substring(1) : first;
  }

  private List<Container> containers(List<String> labels) {
    return engine.call(
        "list containers",
        () -> engine.client().listContainersCmd().withShowAll(true).withLabelFilter(labels).exec());
  }

  @Override
  public List<Host> describe(String deploymentId) {
    return containers(DockerLabels.mine(registry(), deploymentId)).stream()
        .map(DockerProvider::host)
        .toList();
  }

  /**
   * Removes every container, volume and network of the deployment that carries this registry's
   * label, not only {@code hosts}: a launch killed half-way leaves no list of what it made.
   */
  @Override
  public void terminate(String deploymentId, List<Host> hosts) {
    List<String> mine = DockerLabels.mine(registry(), deploymentId);
    containers(mine).forEach(this::remove);
    engine
        .call(
            "list volumes",
            () -> engine.client().listVolumesCmd().withFilter("label", mine).exec().getVolumes())
        .stream()
        .map(v -> v.getName())
        .forEach(
            v -> engine.run("remove volume " + v, () -> engine.client().removeVolumeCmd(v).exec()));
    networks(mine).stream()
        .map(Network::getName)
        .forEach(
            n ->
                engine.run(
                    "remove network " + n, () -> engine.client().removeNetworkCmd(n).exec()));
  }

  private List<Network> networks(List<String> labels) {
    return engine.call(
        "list networks",
        () -> engine.client().listNetworksCmd().withFilter("label", labels).exec());
  }

  private void remove(Container c) {
    removeContainer(c.getId());
  }

  /** Kills and removes the container and its anonymous volumes; gone already is fine. */
  private void removeContainer(String idOrName) {
    engine.find(
        "remove container " + idOrName,
        () -> {
          engine
              .client()
              .removeContainerCmd(idOrName)
              .withForce(true)
              .withRemoveVolumes(true)
              .exec();
          return Boolean.TRUE;
        });
  }

  @Override
  public HostShell open(Host host) {
    InspectContainerResponse c =
        engine.find(
            "inspect container " + host.id(),
            () -> engine.client().inspectContainerCmd(host.id()).exec());
    if (c == null || c.getState() == null || !Boolean.TRUE.equals(c.getState().getRunning())) {
      throw MayflyException.failed(
          "target '"
              + engine.settings.target()
              + "': container "
              + host.id()
              + (c == null ? " is gone" : " is not running"));
    }
    return new DockerShell(engine, host.id());
  }

  /**
   * Every container with a {@code mayfly:deployment} label, whichever registry made it, with its
   * expiry and registry labels; and, for a deployment whose volumes or network outlived its
   * containers (a launch killed before it made them), one entry naming that resource, so the reaper
   * ends it too.
   */
  @Override
  public List<OwnedHost> owned() {
    List<OwnedHost> owned = new ArrayList<>();
    Set<List<String>> seen = new LinkedHashSet<>();
    for (Container c : containers(DockerLabels.anyDeployment())) {
      Map<String, String> labels = c.getLabels();
      String deployment = labels.get(DockerLabels.DEPLOYMENT);
      Optional<String> registry = DockerLabels.value(labels, DockerLabels.REGISTRY);
      seen.add(List.of(registry.orElse(""), deployment));
      owned.add(new OwnedHost(deployment, host(c), DockerLabels.expiresAt(labels), registry));
    }
    Map<String, Map<String, String>> leftovers = new LinkedHashMap<>();
    engine
        .call(
            "list volumes",
            () ->
                engine
                    .client()
                    .listVolumesCmd()
                    .withFilter("label", DockerLabels.anyDeployment())
                    .exec()
                    .getVolumes())
        .forEach(v -> leftovers.put(v.getName(), v.getLabels()));
    networks(DockerLabels.anyDeployment()).forEach(n -> leftovers.put(n.getName(), n.getLabels()));
    leftovers.forEach(
        (name, labels) -> {
          String deployment = labels.get(DockerLabels.DEPLOYMENT);
          Optional<String> registry = DockerLabels.value(labels, DockerLabels.REGISTRY);
          if (seen.add(List.of(registry.orElse(""), deployment))) {
            owned.add(
                new OwnedHost(
                    deployment,
                    new Host(name, "", Map.of(), Optional.empty()),
                    DockerLabels.expiresAt(labels),
                    registry));
          }
        });
    return owned;
  }

  @Override
  public boolean logsInOverSsh() {
    return false;
  }

  @Override
  public boolean pushesRepos() {
    return true;
  }

  @Override
  public void close() {
    engine.close();
  }
}
