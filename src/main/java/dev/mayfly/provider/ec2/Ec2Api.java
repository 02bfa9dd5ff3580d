package dev.mayfly.provider.ec2;

import dev.mayfly.MayflyException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.KeyPairInfo;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;

/**
 * The EC2 client in use: it counts every attempt (retries too) for the listener and the poll
 * rounds, turns an SDK error into one naming what was being done, and finds what a deployment has
 * on the cloud by its tags, telling this registry's resources from another's.
 */
final class Ec2Api implements AutoCloseable {
  /** The states of an instance that is still there: not shutting down, not terminated. */
  static final List<String> LIVE = List.of("pending", "running", "stopping", "stopped");

  /** The states of an instance that terminating has yet to end. */
  static final List<String> NOT_TERMINATED =
      List.of("pending", "running", "stopping", "stopped", "shutting-down");

  private final Ec2Settings settings;
  private final Optional<String> registryId;
  private final AtomicInteger calls = new AtomicInteger();
  private final Ec2Client ec2;

  /**
   * @param registryId empty for a provider made without a registry: it can list, but not create or
   *     end
   */
  Ec2Api(
      Ec2Settings settings,
      Optional<String> registryId,
      Ec2Wiring.ApiListener listener,
      List<ExecutionInterceptor> interceptors) {
    this.settings = settings;
    this.registryId = registryId;
    List<ExecutionInterceptor> all = new ArrayList<>(interceptors);
    all.add(
        new ExecutionInterceptor() {
          @Override
          public void beforeTransmission(
              Context.BeforeTransmission context, ExecutionAttributes attributes) {
            calls.incrementAndGet();
            listener.called(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
          }
        });
    this.ec2 = Ec2Clients.build(settings, all);
  }

  /** For calls whose error codes the caller handles itself. */
  Ec2Client client() {
    return ec2;
  }

  /** API attempts sent so far. */
  int calls() {
    return calls.get();
  }

  <T> T call(String doing, Supplier<T> body) {
    try {
      return body.get();
    } catch (SdkException e) {
      throw Ec2Errors.convert(settings, doing, e);
    }
  }

  /** The id of the registry this provider works for, which all it creates or ends must carry. */
  String registryId() {
    // untagged resources could never be told apart from another registry's, so none are made
    return registryId.orElseThrow(
        () ->
            new MayflyException(
                MayflyException.Exit.INTERNAL,
                "target '"
                    + settings.target()
                    + "': the ec2 provider was made without a registry id; it creates and ends only"
                    + " resources tagged with their registry"));
  }

  /**
   * The deployment's instances in one of {@code states} that are this registry's: tagged with its
   * id, or with no registry tag (made before registry ids) and among {@code known}, the ids the
   * registry recorded.
   */
  List<Instance> mine(String deploymentId, List<String> states, Set<String> known) {
    String own = registryId();
    return tagged(deploymentId, states).stream()
        .filter(
            i ->
                Ec2Tags.value(i, Ec2Tags.REGISTRY)
                    .map(own::equals)
                    .orElse(known.contains(i.instanceId())))
        .toList();
  }

  /**
   * Every instance tagged with the deployment in one of {@code states}, whatever its registry, all
   * pages.
   */
  List<Instance> tagged(String deploymentId, List<String> states) {
    return instances(
        "looking up the instances of " + deploymentId,
        List.of(Ec2Tags.deployment(deploymentId), inState(states)));
  }

  /** Every live instance of any mayfly deployment. */
  List<Instance> allLive() {
    return instances("listing mayfly's instances", List.of(Ec2Tags.anyDeployment(), inState(LIVE)));
  }

  private static Filter inState(List<String> states) {
    return Filter.builder().name("instance-state-name").values(states).build();
  }

  private List<Instance> instances(String doing, List<Filter> filters) {
    return call(
        doing,
        () -> {
          List<Instance> found = new ArrayList<>();
          for (var page :
              ec2.describeInstancesPaginator(r -> r.filters(filters).maxResults(1000))) {
            for (Reservation reservation : page.reservations()) {
              found.addAll(reservation.instances());
            }
          }
          return found;
        });
  }

  /**
   * The security group this registry made for the deployment: tagged with both and named after
   * them.
   */
  Optional<SecurityGroup> deploymentGroup(String deploymentId) {
    String registry = registryId();
    return call(
        "looking up the security group of " + deploymentId,
        () ->
            ec2
                .describeSecurityGroups(
                    r ->
                        r.filters(
                            Ec2Tags.registry(registry),
                            Ec2Tags.deployment(deploymentId),
                            Filter.builder()
                                .name("group-name")
                                .values(Ec2Tags.resourceName(registry, deploymentId))
                                .build()))
                .securityGroups()
                .stream()
                .findFirst());
  }

  /**
   * The key pair this registry imported for the deployment: tagged with both and named after them.
   */
  Optional<KeyPairInfo> deploymentKeyPair(String deploymentId) {
    String registry = registryId();
    // filters rather than key names: a missing name is then no error
    return call(
        "looking up the key pair of " + deploymentId,
        () ->
            ec2
                .describeKeyPairs(
                    r ->
                        r.filters(
                            Ec2Tags.registry(registry),
                            Ec2Tags.deployment(deploymentId),
                            Filter.builder()
                                .name("key-name")
                                .values(Ec2Tags.resourceName(registry, deploymentId))
                                .build()))
                .keyPairs()
                .stream()
                .findFirst());
  }

  @Override
  public void close() {
    ec2.close();
  }
}
