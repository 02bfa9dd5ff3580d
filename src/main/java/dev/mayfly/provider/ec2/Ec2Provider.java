package dev.mayfly.provider.ec2;

import dev.mayfly.MayflyException;
import dev.mayfly.host.HostShell;
import dev.mayfly.host.Identity;
import dev.mayfly.host.SshAccess;
import dev.mayfly.host.SshEndpoint;
import dev.mayfly.host.ssh.KeyFiles;
import dev.mayfly.provider.Host;
import dev.mayfly.provider.LaunchRequest;
import dev.mayfly.provider.OwnedHost;
import dev.mayfly.provider.Provider;
import dev.mayfly.provider.Wait;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.Ec2ClientBuilder;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.ShutdownBehavior;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * Instances on EC2 or an EC2-compatible cloud. Everything it creates carries the deployment's tags from
 * the call that creates it, so a launch that dies half-way leaves nothing the reaper cannot find.
 *
 * <p>Launch: import the deployment key, make the deployment's security group (unless the target names
 * one), look for instances already tagged with the deployment (a retried launch adopts them), then one
 * RunInstances for all missing ones with a ClientToken derived from the deployment id. Waits: "instances
 * running" (one DescribeInstances per round, whatever N) and "ssh port open".
 */
final class Ec2Provider implements Provider {
  static final String TAG_DEPLOYMENT = "mayfly:deployment";
  static final String TAG_TEMPLATE = "mayfly:template";
  static final String TAG_EXPIRES = "mayfly:expires-at";
  private static final List<String> LIVE = List.of("pending", "running", "stopping", "stopped");
  private static final Duration CONNECT_ATTEMPT = Duration.ofSeconds(2);

  private final Ec2Settings settings;
  private final Ec2Wiring wiring;
  private final boolean resolverInjected;
  private final Path stateDir;
  private final SshAccess access;
  private final Ec2Client ec2;
  private final AtomicInteger calls = new AtomicInteger();

  /** @param access the deployment's SSH identity and host keys; null when made for no deployment */
  Ec2Provider(Ec2Settings settings, Path stateDir, SshAccess access, Ec2Wiring wiring,
      List<ExecutionInterceptor> interceptors, boolean resolverInjected) {
    this.settings = settings;
    this.wiring = wiring;
    this.resolverInjected = resolverInjected;
    this.stateDir = stateDir;
    this.access = access;
    AwsCredentialsProvider credentials = credentials(settings);
    RetryStrategy retry = (settings.retryMode().equals("standard")
        ? AwsRetryStrategy.standardRetryStrategy().toBuilder()
        : AwsRetryStrategy.adaptiveRetryStrategy().toBuilder()).maxAttempts(settings.maxAttempts()).build();
    List<ExecutionInterceptor> all = new ArrayList<>(interceptors);
    all.add(new Counting());
    Ec2ClientBuilder builder = Ec2Client.builder()
        .region(settings.region())
        .credentialsProvider(credentials)
        .httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(10))
            .socketTimeout(settings.apiTimeout()))
        .overrideConfiguration(o -> o.retryStrategy(retry)
            .apiCallTimeout(settings.apiTimeout().multipliedBy(settings.maxAttempts()))
            .apiCallAttemptTimeout(settings.apiTimeout())
            .executionInterceptors(all));
    settings.endpoint().ifPresent(builder::endpointOverride);
    this.ec2 = builder.build();
  }

  /** The SDK's default chain, or the named profile; resolved now so missing credentials fail before any call. */
  private static AwsCredentialsProvider credentials(Ec2Settings s) {
    Supplier<ProfileFile> files = () -> {
      ProfileFile.Aggregator aggregate = ProfileFile.aggregator();
      if (Files.isRegularFile(s.credentialsFile())) {
        aggregate.addFile(ProfileFile.builder().content(s.credentialsFile()).type(ProfileFile.Type.CREDENTIALS).build());
      }
      if (Files.isRegularFile(s.configFile())) {
        aggregate.addFile(ProfileFile.builder().content(s.configFile()).type(ProfileFile.Type.CONFIGURATION).build());
      }
      return aggregate.build();
    };
    AwsCredentialsProvider provider = s.profile().isPresent()
        ? ProfileCredentialsProvider.builder().profileFile(files).profileName(s.profile().get()).build()
        : DefaultCredentialsProvider.builder().profileFile(files).build();
    try {
      provider.resolveCredentials();
    } catch (SdkException e) {
      String where = s.profile().map(p -> "profile '" + p + "' is not in " + s.credentialsFile() + " or "
          + s.configFile()).orElse("none in the environment, " + s.credentialsFile() + " or instance metadata");
      throw MayflyException.badInput("target '" + s.target() + "': no AWS credentials (" + where
          + "); give --profile NAME or AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    }
    return provider;
  }

  /** Counts every attempt (retries too) for the listener and the poll rounds. */
  private final class Counting implements ExecutionInterceptor {
    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
      calls.incrementAndGet();
      wiring.listener().called(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
    }
  }

  private <T> T call(String doing, Supplier<T> body) {
    try {
      return body.get();
    } catch (SdkException e) {
      throw Ec2Errors.convert(settings, doing, e);
    }
  }

  // ---------------------------------------------------------------- launch

  @Override
  public List<Host> launch(LaunchRequest request) {
    String id = request.deploymentId();
    boolean created = false;
    try {
      Optional<String> keyName = importKey(id);
      created = true;
      String group = settings.securityGroup().orElseGet(() -> autoGroup(id, request.ports()));
      List<Instance> existing = tagged(id, LIVE);
      int missing = request.count() - existing.size();
      if (missing > 0) {
        run(request, missing, existing.size(), keyName, group);
      }
      List<Instance> running = awaitRunning(id, Math.max(request.count(), existing.size()));
      Map<String, Ec2Wiring.Reach> reach = awaitSsh(running);
      List<Host> hosts = new ArrayList<>();
      for (Instance i : running) {
        hosts.add(new Host(i.instanceId(), reach.get(i.instanceId()).address(), request.ports(), Optional.empty()));
      }
      return hosts;
    } catch (MayflyException e) {
      if (!created) {
        throw e;
      }
      // leave nothing behind: end whatever this deployment has on the cloud, then say so
      try {
        terminate(id, List.of());
      } catch (MayflyException cleanup) {
        throw new MayflyException(e.exit(), e.getMessage() + "; cleaning up failed too (" + cleanup.getMessage()
            + "): `mayfly reap` will retry", e);
      }
      throw new MayflyException(e.exit(), e.getMessage() + "; nothing of " + id + " was left running", e);
    }
  }

  static String keyName(String deploymentId) {
    return "mayfly-" + deploymentId;
  }

  static String clientToken(String deploymentId, int alreadyRunning) {
    return "mayfly-" + deploymentId + (alreadyRunning == 0 ? "" : "-" + alreadyRunning);
  }

  /**
   * Imports the public half of the deployment's identity as key pair {@code mayfly-<id>}: mayfly's own
   * generated key, or the {@code --identity} file's {@code .pub}. With ssh-agent there is no file to import:
   * the image must already accept the agent's key.
   */
  private Optional<String> importKey(String id) {
    Identity identity = access != null ? access.identity()
        : Identity.generated(stateDir.resolve("keys").resolve(id).resolve("id_ed25519"));
    if (identity.isAgent()) {
      return Optional.empty();
    }
    if (identity.generated()) {
      KeyFiles.generateEd25519(identity.keyFile(), "mayfly-" + id);
    }
    Path pub = Path.of(identity.keyFile() + ".pub");
    String publicKey;
    try {
      publicKey = Files.readString(pub).trim();
    } catch (IOException e) {
      throw MayflyException.badInput("target '" + settings.target() + "': EC2 needs the public key " + pub
          + " to import as the instances' key pair (" + e.getClass().getSimpleName() + ")");
    }
    String name = keyName(id);
    try {
      ec2.importKeyPair(r -> r.keyName(name)
          .publicKeyMaterial(software.amazon.awssdk.core.SdkBytes.fromUtf8String(publicKey))
          .tagSpecifications(tags(ResourceType.KEY_PAIR, id, null, null)));
    } catch (SdkException e) {
      if (!Ec2Errors.code(e).equals("InvalidKeyPair.Duplicate")) {
        throw Ec2Errors.convert(settings, "importing key pair " + name, e);
      }
    }
    return Optional.of(name);
  }

  /** The deployment's own group: the template's ports and 22, from {@code allow-from}, nothing else. */
  private String autoGroup(String id, Map<String, Integer> ports) {
    String name = keyName(id);
    String groupId;
    try {
      groupId = ec2.createSecurityGroup(r -> {
        r.groupName(name).description("mayfly deployment " + id)
            .tagSpecifications(tags(ResourceType.SECURITY_GROUP, id, null, null));
        settings.subnet().ifPresent(subnet -> r.vpcId(vpcOf(subnet)));
      }).groupId();
    } catch (SdkException e) {
      if (!Ec2Errors.code(e).equals("InvalidGroup.Duplicate")) {
        throw Ec2Errors.convert(settings, "creating security group " + name, e);
      }
      return deploymentGroup(id).map(SecurityGroup::groupId).orElseThrow(
          () -> MayflyException.failed("target '" + settings.target() + "': security group " + name
              + " exists but is not tagged with deployment " + id + "; remove it or name a security-group"));
    }
    Set<Integer> open = new LinkedHashSet<>();
    open.add(22);
    open.addAll(ports.values());
    List<IpPermission> permissions = open.stream().map(port -> IpPermission.builder().ipProtocol("tcp")
        .fromPort(port).toPort(port).ipRanges(IpRange.builder().cidrIp(settings.allowFrom())
            .description("mayfly " + id).build()).build()).toList();
    call("opening ports " + open + " in " + groupId,
        () -> ec2.authorizeSecurityGroupIngress(r -> r.groupId(groupId).ipPermissions(permissions)));
    return groupId;
  }

  private String vpcOf(String subnet) {
    return call("looking up subnet " + subnet,
        () -> ec2.describeSubnets(r -> r.subnetIds(subnet)).subnets().get(0).vpcId());
  }

  private Optional<SecurityGroup> deploymentGroup(String id) {
    return call("looking up the security group of " + id, () -> ec2.describeSecurityGroups(r -> r.filters(
        Filter.builder().name("tag:" + TAG_DEPLOYMENT).values(id).build(),
        Filter.builder().name("group-name").values(keyName(id)).build())).securityGroups().stream().findFirst());
  }

  private void run(LaunchRequest request, int count, int alreadyRunning, Optional<String> keyName, String group) {
    String id = request.deploymentId();
    Instant expires = request.expiresAt() == null ? null : request.expiresAt().truncatedTo(ChronoUnit.SECONDS);
    String userData = UserData.base64(UserData.render(id, expires, settings.failsafeGrace()));
    call("starting " + count + " instance(s) of " + settings.image(), () -> ec2.runInstances(r -> {
      r.imageId(settings.image())
          .instanceType(settings.instanceType())
          .minCount(count)
          .maxCount(count)
          .clientToken(clientToken(id, alreadyRunning))
          .keyName(keyName.orElse(null))
          .securityGroupIds(group)
          .userData(userData)
          .instanceInitiatedShutdownBehavior(ShutdownBehavior.TERMINATE)
          .tagSpecifications(
              tags(ResourceType.INSTANCE, id, request.template(), expires),
              tags(ResourceType.VOLUME, id, request.template(), expires));
      settings.subnet().ifPresent(r::subnetId);
    }));
  }

  private static TagSpecification tags(ResourceType type, String id, String template, Instant expires) {
    List<Tag> tags = new ArrayList<>();
    tags.add(Tag.builder().key(TAG_DEPLOYMENT).value(id).build());
    if (template != null) {
      tags.add(Tag.builder().key(TAG_TEMPLATE).value(template).build());
    }
    if (expires != null) {
      tags.add(Tag.builder().key(TAG_EXPIRES).value(expires.toString()).build());
    }
    tags.add(Tag.builder().key("Name").value(id).build());
    return TagSpecification.builder().resourceType(type).tags(tags).build();
  }

  /** "instances running": one DescribeInstances (paginated) per round for all of them. */
  private List<Instance> awaitRunning(String id, int count) {
    return Wait.until("instances running", settings.runningTimeout(), settings.poll(), () -> {
      int before = calls.get();
      List<Instance> seen = tagged(id, List.of("pending", "running", "shutting-down", "terminated", "stopping",
          "stopped"));
      wiring.listener().pollRound("instances running", calls.get() - before);
      for (Instance i : seen) {
        String state = i.state().nameAsString();
        if (state.equals("shutting-down") || state.equals("terminated") || state.startsWith("stop")) {
          throw MayflyException.failed("target '" + settings.target() + "': instance " + i.instanceId()
              + " went " + state + " while starting"
              + (i.stateReason() == null ? "" : " (" + i.stateReason().message() + ")"));
        }
      }
      List<Instance> running = seen.stream().filter(i -> i.state().name() == InstanceStateName.RUNNING).toList();
      if (running.size() >= count) {
        return Wait.Probe.done(running);
      }
      return Wait.Probe.notYet(running.size() + " of " + count + " running");
    });
  }

  /** "ssh port open": TCP connects to each instance's sshd until all accept. */
  private Map<String, Ec2Wiring.Reach> awaitSsh(List<Instance> instances) {
    Map<String, Ec2Wiring.Reach> reach = new LinkedHashMap<>();
    for (Instance i : instances) {
      reach.put(i.instanceId(), reach(i.instanceId(), address(i)));
    }
    Set<String> closed = new LinkedHashSet<>(reach.keySet());
    Wait.until("ssh port open", settings.sshTimeout(), settings.poll(), () -> {
      closed.removeIf(idOf -> accepts(reach.get(idOf)));
      return closed.isEmpty() ? Wait.Probe.done(true)
          : Wait.Probe.notYet("no sshd yet on " + String.join(", ", closed));
    });
    return reach;
  }

  private static boolean accepts(Ec2Wiring.Reach reach) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(reach.address(), reach.sshPort()), (int) CONNECT_ATTEMPT.toMillis());
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String address(Instance i) {
    return i.publicIpAddress() != null ? i.publicIpAddress() : i.privateIpAddress();
  }

  private Ec2Wiring.Reach reach(String instanceId, String address) {
    if (settings.localEmulator() && !resolverInjected) {
      // an emulator's instance addresses are made up: whatever answers there is not ours
      throw MayflyException.failed("target '" + settings.target() + "': " + settings.describeEndpoint()
          + " is an emulator on this machine; its instance " + instanceId + " has no reachable address");
    }
    if (address == null) {
      throw MayflyException.failed("target '" + settings.target() + "': instance " + instanceId
          + " has no IP address (does the subnet assign one?)");
    }
    return wiring.resolver().reach(instanceId, address);
  }

  /** Every instance tagged with the deployment in one of {@code states}, through all pages. */
  private List<Instance> tagged(String id, List<String> states) {
    return describe("looking up the instances of " + id, List.of(
        Filter.builder().name("tag:" + TAG_DEPLOYMENT).values(id).build(),
        Filter.builder().name("instance-state-name").values(states).build()));
  }

  private List<Instance> describe(String doing, List<Filter> filters) {
    return call(doing, () -> {
      List<Instance> found = new ArrayList<>();
      for (var page : ec2.describeInstancesPaginator(r -> r.filters(filters).maxResults(1000))) {
        for (Reservation reservation : page.reservations()) {
          for (Instance i : reservation.instances()) {
            found.add(i);
          }
        }
      }
      return found;
    });
  }

  private static Optional<String> tag(Instance i, String key) {
    return i.tags().stream().filter(t -> t.key().equals(key)).map(Tag::value).findFirst();
  }

  // ---------------------------------------------------------------- describe, open, owned

  @Override
  public List<Host> describe(String deploymentId) {
    return tagged(deploymentId, LIVE).stream().map(this::host).toList();
  }

  private Host host(Instance i) {
    String address = address(i);
    return new Host(i.instanceId(), address == null ? "" : address, Map.of(), Optional.empty());
  }

  @Override
  public HostShell open(Host host) {
    Ec2Wiring.Reach reach = reach(host.id(), host.address());
    return wiring.shells().open(new SshEndpoint(settings.sshUser(), reach.address(), reach.sshPort()), access);
  }

  /** Every instance with a {@code mayfly:deployment} tag that is not terminated, with its expiry tag. */
  @Override
  public List<OwnedHost> owned() {
    List<Instance> all = describe("listing mayfly's instances", List.of(
        Filter.builder().name("tag-key").values(TAG_DEPLOYMENT).build(),
        Filter.builder().name("instance-state-name").values(LIVE).build()));
    List<OwnedHost> owned = new ArrayList<>();
    for (Instance i : all) {
      Optional<Instant> expires = tag(i, TAG_EXPIRES).flatMap(Ec2Provider::instant);
      owned.add(new OwnedHost(tag(i, TAG_DEPLOYMENT).orElseThrow(), host(i), expires));
    }
    return owned;
  }

  private static Optional<Instant> instant(String text) {
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  // ---------------------------------------------------------------- terminate, extend

  /**
   * Ends every instance tagged with the deployment (those of {@code hosts} and any a crashed launch left),
   * waits until they are terminated, then deletes the deployment's own security group and key pair.
   */
  @Override
  public void terminate(String deploymentId, List<Host> hosts) {
    List<String> ids = tagged(deploymentId, List.of("pending", "running", "stopping", "stopped", "shutting-down"))
        .stream().map(Instance::instanceId).toList();
    if (!ids.isEmpty()) {
      call("terminating " + ids.size() + " instance(s)", () -> ec2.terminateInstances(r -> r.instanceIds(ids)));
      Wait.until("instances terminated", settings.terminateTimeout(), settings.poll(), () -> {
        int before = calls.get();
        List<Instance> left = tagged(deploymentId, List.of("pending", "running", "stopping", "stopped",
            "shutting-down"));
        wiring.listener().pollRound("instances terminated", calls.get() - before);
        return left.isEmpty() ? Wait.Probe.done(true) : Wait.Probe.notYet(left.size() + " not yet terminated");
      });
    }
    if (settings.securityGroup().isEmpty()) {
      deploymentGroup(deploymentId).ifPresent(group -> Wait.until("security group deleted",
          settings.terminateTimeout(), settings.poll(), () -> {
            try {
              ec2.deleteSecurityGroup(r -> r.groupId(group.groupId()));
              return Wait.Probe.done(true);
            } catch (SdkException e) {
              if (Ec2Errors.code(e).equals("DependencyViolation")) {
                return Wait.Probe.notYet(group.groupId() + " still in use");
              }
              throw Ec2Errors.convert(settings, "deleting security group " + group.groupId(), e);
            }
          }));
    }
    try {
      ec2.deleteKeyPair(r -> r.keyName(keyName(deploymentId)));
    } catch (SdkException e) {
      if (!Ec2Errors.code(e).equals("InvalidKeyPair.NotFound")) {
        throw Ec2Errors.convert(settings, "deleting key pair " + keyName(deploymentId), e);
      }
    }
  }

  /**
   * Moves {@code mayfly:expires-at} on the deployment's instances and volumes, then re-arms the fail-safe
   * on each host so it powers off at the new expiry plus grace. A null expiry (extended to never end)
   * removes the tag and disarms the fail-safe.
   */
  @Override
  public void extend(String deploymentId, List<Host> hosts, Instant newExpiry) {
    Instant expires = newExpiry == null ? null : newExpiry.truncatedTo(ChronoUnit.SECONDS);
    List<Instance> instances = tagged(deploymentId, LIVE);
    if (instances.isEmpty()) {
      throw MayflyException.failed("target '" + settings.target() + "': deployment " + deploymentId
          + " has no instances to extend");
    }
    List<String> resources = new ArrayList<>();
    for (Instance i : instances) {
      resources.add(i.instanceId());
      i.blockDeviceMappings().stream().filter(b -> b.ebs() != null).forEach(b -> resources.add(b.ebs().volumeId()));
    }
    if (expires == null) {
      call("removing the expiry tag of " + deploymentId, () -> ec2.deleteTags(r -> r.resources(resources)
          .tags(Tag.builder().key(TAG_EXPIRES).build())));
    } else {
      call("moving the expiry tag of " + deploymentId, () -> ec2.createTags(r -> r.resources(resources)
          .tags(Tag.builder().key(TAG_EXPIRES).value(expires.toString()).build())));
    }
    String command = UserData.rearm(expires, settings.failsafeGrace());
    List<String> failures = new ArrayList<>();
    for (Instance i : instances) {
      Host host = hosts.stream().filter(h -> h.id().equals(i.instanceId())).findFirst().orElseGet(() -> host(i));
      List<String> output = new ArrayList<>();
      try (HostShell shell = open(host)) {
        HostShell.ExecResult result = shell.exec(command, Duration.ofMinutes(1), output::add);
        if (!result.ok()) {
          failures.add(i.instanceId() + " (exit " + result.exitCode() + (output.isEmpty() ? "" : ": "
              + output.get(output.size() - 1)) + ")");
        }
      } catch (MayflyException e) {
        failures.add(i.instanceId() + " (" + e.getMessage() + ")");
      }
    }
    if (!failures.isEmpty()) {
      throw MayflyException.failed("target '" + settings.target() + "': expiry tags "
          + (expires == null ? "removed" : "moved to " + expires) + " but the fail-safe was not "
          + (expires == null ? "disarmed" : "re-armed") + " on " + String.join(", ", failures)
          + "; those instances still power off at the old expiry plus grace");
    }
  }

  @Override
  public void close() {
    ec2.close();
  }
}
