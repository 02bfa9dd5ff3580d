package dev.mayfly.provider.ec2;

import dev.mayfly.MayflyException;
import dev.mayfly.host.Identity;
import dev.mayfly.host.SshAccess;
import dev.mayfly.host.ssh.KeyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.model.ResourceType;

/** The deployment's key pair, so its instances accept the deployment's SSH identity. */
final class Ec2KeyPairs {
  private final Ec2Api api;
  private final Ec2Settings settings;
  private final Path stateDir;
  private final SshAccess access;

  /**
   * @param access the deployment's SSH identity; null when made for no deployment
   */
  Ec2KeyPairs(Ec2Api api, Ec2Settings settings, Path stateDir, SshAccess access) {
    this.api = api;
    this.settings = settings;
    this.stateDir = stateDir;
    this.access = access;
  }

  /**
   * Imports the public half of the deployment's identity as key pair {@code
   * mayfly-<registry>-<id>}: mayfly's own generated key, or the {@code --identity} file's {@code
   * .pub}. With ssh-agent there is no file to import: the image must already accept the agent's
   * key.
   */
  Optional<String> importKey(String registryId, String id) {
    Identity identity =
        access != null
            ? access.identity()
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
      throw MayflyException.badInput(
          "target '"
              + settings.target()
              + "': EC2 needs the public key "
              + pub
              + " to import as the instances' key pair ("
              + e.getClass().getSimpleName()
              + ")");
    }
    String name = Ec2Tags.resourceName(registryId, id);
    try {
      api.client()
          .importKeyPair(
              r ->
                  r.keyName(name)
                      .publicKeyMaterial(SdkBytes.fromUtf8String(publicKey))
                      .tagSpecifications(
                          Ec2Tags.on(ResourceType.KEY_PAIR, registryId, id, null, null)));
    } catch (SdkException e) {
      if (!Ec2Errors.code(e).equals("InvalidKeyPair.Duplicate")) {
        throw Ec2Errors.convert(settings, "importing key pair " + name, e);
      }
      if (api.deploymentKeyPair(id).isEmpty()) {
        throw MayflyException.failed(
            "target '"
                + settings.target()
                + "': key pair "
                + name
                + " exists but is not tagged with this registry and deployment "
                + id
                + "; remove it");
      }
    }
    return Optional.of(name);
  }
}
