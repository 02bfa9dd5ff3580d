package dev.mayfly.web;

import dev.mayfly.MayflyException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code --tls-cert} and {@code --tls-key} (PEM) as the in-memory key store Jetty serves from. */
final class Tls {
  static final char[] PASSWORD = "mayfly".toCharArray();
  private static final Pattern PKCS8 =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

  private Tls() {}

  static KeyStore keyStore(Path certFile, Path keyFile) {
    try {
      Collection<? extends Certificate> chain;
      try (InputStream in = Files.newInputStream(certFile)) {
        chain = CertificateFactory.getInstance("X.509").generateCertificates(in);
      } catch (GeneralSecurityException e) {
        throw MayflyException.badInput("--tls-cert " + certFile + ": not a PEM certificate");
      }
      if (chain.isEmpty()) {
        throw MayflyException.badInput("--tls-cert " + certFile + ": holds no certificate");
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("mayfly", privateKey(keyFile), PASSWORD, chain.toArray(Certificate[]::new));
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw MayflyException.badInput(
          "TLS: cannot read " + certFile + " / " + keyFile + ": " + e.getMessage());
    }
  }

  private static PrivateKey privateKey(Path keyFile) throws IOException {
    Matcher m = PKCS8.matcher(Files.readString(keyFile));
    if (!m.find()) {
      throw MayflyException.badInput(
          "--tls-key "
              + keyFile
              + ": not an unencrypted PKCS#8 PEM key (BEGIN PRIVATE KEY); convert it with"
              + " `openssl pkcs8 -topk8 -nocrypt`");
    }
    byte[] der = Base64.getMimeDecoder().decode(m.group(1));
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // the next algorithm
      }
    }
    throw MayflyException.badInput("--tls-key " + keyFile + ": not an RSA, EC or Ed25519 key");
  }
}
