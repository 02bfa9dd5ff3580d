package dev.mayfly.provider.ec2;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;

/**
 * The EC2 client in use: it counts every attempt (retries too) for the listener and the poll rounds, turns an
 * SDK error into one naming what was being done, and finds what a deployment has on the cloud by its tags.
 */
final class Ec2Api implements AutoCloseable {
  /** The states of an instance that is still there: not shutting down, not terminated. */
  static final List<String> LIVE = List.of("pending", "running", "stopping", "stopped");
  /** The states of an instance that terminating has yet to end. */
  static final List<String> NOT_TERMINATED = List.of("pending", "running", "stopping", "stopped", "shutting-down");

  private final Ec2Settings settings;
  private final AtomicInteger calls = new AtomicInteger();
  private final Ec2Client ec2;

  Ec2Api(Ec2Settings settings, Ec2Wiring.ApiListener listener, List<ExecutionInterceptor> interceptors) {
    this.settings = settings;
    List<ExecutionInterceptor> all = new ArrayList<>(interceptors);
    all.add(new ExecutionInterceptor() {
      @Override
      public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
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

  /** Every instance tagged with the deployment in one of {@code states}, through all pages. */
  List<Instance> tagged(String deploymentId, List<String> states) {
    return instances("looking up the instances of " + deploymentId,
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
    return call(doing, () -> {
      List<Instance> found = new ArrayList<>();
      for (var page : ec2.describeInstancesPaginator(r -> r.filters(filters).maxResults(1000))) {
        for (Reservation reservation : page.reservations()) {
          found.addAll(reservation.instances());
        }
      }
      return found;
    });
  }

  /** The security group mayfly made for the deployment: tagged with it and named after it. */
  Optional<SecurityGroup> deploymentGroup(String deploymentId) {
    return call("looking up the security group of " + deploymentId, () -> ec2.describeSecurityGroups(r -> r.filters(
        Ec2Tags.deployment(deploymentId),
        Filter.builder().name("group-name").values(Ec2Tags.resourceName(deploymentId)).build()))
        .securityGroups().stream().findFirst());
  }

  @Override
  public void close() {
    ec2.close();
  }
}
