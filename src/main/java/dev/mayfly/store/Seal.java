package dev.mayfly.store;

import dev.mayfly.MayflyException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Properties;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An HMAC over rows whose content a later step acts on (a deployment's frozen template with its
 * commands, a pinned host key), so a row changed by anyone without the key is refused rather than
 * run or trusted. The key is {@code registry.seal-key} in {@code mayfly.properties}, else {@code
 * seal.key} (0600) in the state folder.
 */
public final class Seal {
  public static final String KEY_FILE = "seal.key";
  public static final String KEY_PROPERTY = "registry.seal-key";
  private final SecretKeySpec key;

  private Seal(String hexKey) {
    this.key = new SecretKeySpec(HexFormat.of().parseHex(hexKey), "HmacSHA256");
  }

  /**
   * The key of the registry used from {@code stateDir}, made on first use when the config names
   * none.
   */
  public static Seal of(Path stateDir, Properties config) {
    String configured = config.getProperty(KEY_PROPERTY);
    if (configured != null && !configured.isBlank()) {
      if (!configured.strip().matches("([0-9a-fA-F]{2}){16,}")) {
        throw MayflyException.badInput(
            stateDir.resolve(Database.CONFIG_FILE)
                + ": "
                + KEY_PROPERTY
                + " must be at least 32 hex digits (e.g. from `openssl rand -hex 32`)");
      }
      return new Seal(configured.strip());
    }
    return new Seal(PrivateFiles.secret(stateDir.resolve(KEY_FILE)));
  }

  /** The seal of {@code parts}, each one length-prefixed so no two tuples share a seal. */
  String sign(String... parts) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      for (String part : parts) {
        byte[] bytes = part == null ? new byte[0] : part.getBytes(StandardCharsets.UTF_8);
        mac.update((part == null ? "-" : bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
        mac.update(bytes);
      }
      return HexFormat.of().formatHex(mac.doFinal());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  boolean verifies(String seal, String... parts) {
    return seal != null
        && MessageDigest.isEqual(
            seal.getBytes(StandardCharsets.US_ASCII),
            sign(parts).getBytes(StandardCharsets.US_ASCII));
  }
}
