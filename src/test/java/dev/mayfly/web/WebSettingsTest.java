package dev.mayfly.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.MayflyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebSettingsTest {
  @Test
  void noAddressMeansNoConsole() {
    assertNull(WebSettings.resolve(null, null, null, new Properties()));
  }

  @Test
  void theOptionWinsOverTheProperty() {
    Properties config = new Properties();
    config.setProperty("daemon.http", "127.0.0.1:9000");
    assertEquals(9000, WebSettings.resolve(null, null, null, config).port());
    assertEquals(7070, WebSettings.resolve("127.0.0.1:7070", null, null, config).port());
    assertEquals("::1", WebSettings.resolve("[::1]:7070", null, null, config).host());
  }

  @Test
  void plainHttpOffLoopbackIsRefusedNamingTlsAndAProxy() {
    for (String address : new String[] {"0.0.0.0:7070", "10.1.2.3:7070"}) {
      MayflyException e =
          assertThrows(
              MayflyException.class,
              () -> WebSettings.resolve(address, null, null, new Properties()));
      assertEquals(MayflyException.Exit.BAD_INPUT, e.exit());
      assertTrue(
          e.getMessage().contains("--tls-cert") && e.getMessage().contains("reverse proxy"),
          e.getMessage());
    }
    Properties config = new Properties();
    config.setProperty("daemon.http", "0.0.0.0:7070");
    MayflyException e =
        assertThrows(MayflyException.class, () -> WebSettings.resolve(null, null, null, config));
    assertTrue(e.getMessage().startsWith("daemon.http: "), e.getMessage());
  }

  @Test
  void offLoopbackWithACertificateAndKeyIsServed(@TempDir Path dir) throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
    Path key = Files.writeString(dir.resolve("key.pem"), "x");
    assertTrue(WebSettings.resolve("0.0.0.0:7443", cert, key, new Properties()).tls());
    assertThrows(
        MayflyException.class,
        () -> WebSettings.resolve("0.0.0.0:7443", cert, null, new Properties()));
  }

  @Test
  void aBadAddressNamesTheField() {
    for (String address : new String[] {"7070", "127.0.0.1:http", "127.0.0.1:70000"}) {
      MayflyException e =
          assertThrows(
              MayflyException.class,
              () -> WebSettings.resolve(address, null, null, new Properties()));
      assertTrue(e.getMessage().startsWith("--http: '" + address + "'"), e.getMessage());
    }
  }
}
