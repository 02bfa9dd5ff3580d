package dev.mayfly.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --profile}, only on the commands that reach a target's provider (so {@code list} and
 * {@code templates} do not show it); it sets the one value {@link Main} opens the targets with.
 */
final class ProfileOption {
  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(
      names = "--profile",
      paramLabel = "NAME",
      description = {
        "ec2 targets: the AWS profile (default: $AWS_PROFILE, else the SDK's default chain).",
        "metaleuca targets, on launch: the Cobbler profile the machines are reinstalled with (default: the"
            + " target's profile)."
      })
  void profile(String name) {
    if (name != null) {
      ((Main) mixee.root().userObject()).profile = name;
    }
  }
}
