package dev.mayfly.store;

import dev.mayfly.MayflyException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * One deployment as the registry keeps it.
 *
 * @param params parameter values with secrets already masked by the caller
 * @param spec opaque to the store: what the pipeline needs for later sync and terminate
 * @param hostCount filled when read, ignored on insert
 * @param specSealed whether the stored row still carries mayfly's seal (see {@link #spec()}); asked
 *     only when the spec is read, so listing many rows computes no seals; always true on insert
 */
public record DeploymentRow(
    String id,
    String template,
    String target,
    DeploymentState state,
    Map<String, String> params,
    String spec,
    Optional<String> serviceCommit,
    Optional<String> dataCommit,
    Optional<String> url,
    Instant createdAt,
    Optional<Instant> expiresAt,
    int hostCount,
    BooleanSupplier specSealed) {

  /** A row to insert (or one read back whose seal verified). */
  public DeploymentRow(
      String id,
      String template,
      String target,
      DeploymentState state,
      Map<String, String> params,
      String spec,
      Optional<String> serviceCommit,
      Optional<String> dataCommit,
      Optional<String> url,
      Instant createdAt,
      Optional<Instant> expiresAt,
      int hostCount) {
    this(
        id,
        template,
        target,
        state,
        params,
        spec,
        serviceCommit,
        dataCommit,
        url,
        createdAt,
        expiresAt,
        hostCount,
        () -> true);
  }

  /** Whether the frozen template is still the one mayfly wrote (its seal verifies). */
  public boolean specIntact() {
    return specSealed.getAsBoolean();
  }

  /**
   * The frozen template, whose commands later steps run: refused when its row was changed outside
   * mayfly, so nothing written into the registry by someone else is ever run.
   */
  @Override
  public String spec() {
    if (!specIntact()) {
      throw MayflyException.failed(
          "deployment "
              + id
              + ": its frozen template was changed outside mayfly; refusing to run it");
    }
    return spec;
  }
}
