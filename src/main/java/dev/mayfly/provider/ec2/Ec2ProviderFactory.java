package dev.mayfly.provider.ec2;

import dev.mayfly.provider.Provider;
import dev.mayfly.provider.ProviderContext;
import dev.mayfly.provider.ProviderFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/** AWS EC2 and EC2-compatible clouds (Eucalyptus) through the AWS SDK for Java v2. */
public final class Ec2ProviderFactory implements ProviderFactory {
  private final Ec2Wiring wiring;
  private final List<ExecutionInterceptor> interceptors;
  private final boolean resolverInjected;

  /** For ServiceLoader: the real world. */
  public Ec2ProviderFactory() {
    this(Ec2Wiring.standard(), List.of(), false);
  }

  /** With some of the outside world replaced (tests, benchmarks). */
  public Ec2ProviderFactory(Ec2Wiring wiring) {
    this(wiring, List.of(), true);
  }

  /** Tests in this package also watch the raw SDK requests. */
  Ec2ProviderFactory(Ec2Wiring wiring, List<ExecutionInterceptor> interceptors) {
    this(wiring, interceptors, true);
  }

  private Ec2ProviderFactory(
      Ec2Wiring wiring, List<ExecutionInterceptor> interceptors, boolean resolverInjected) {
    this.wiring = wiring;
    this.interceptors = interceptors;
    this.resolverInjected = resolverInjected;
  }

  @Override
  public String name() {
    return "ec2";
  }

  @Override
  public Set<String> settingNames() {
    return Ec2Settings.NAMES;
  }

  /**
   * Without a registry: it lists what mayfly holds ({@code owned}), and refuses to launch, extend
   * or terminate, since it could not tell its own resources from another registry's.
   */
  @Override
  public Provider create(Path stateDir, Map<String, String> settings) {
    return new Ec2Provider(
        Ec2Settings.parse(settings),
        Optional.empty(),
        stateDir,
        null,
        wiring,
        interceptors,
        resolverInjected,
        Optional.empty());
  }

  /**
   * For the context's registry, and one deployment or none. With a deployment its identity's public
   * key becomes the key pair and its shells log in with it; without one, key pairs use the state
   * dir's keys.
   */
  @Override
  public Provider create(ProviderContext context) {
    return new Ec2Provider(
        Ec2Settings.parse(context.settings()),
        context.registryId(),
        context.stateDir(),
        context.ssh(),
        wiring,
        interceptors,
        resolverInjected,
        context.registry());
  }
}
