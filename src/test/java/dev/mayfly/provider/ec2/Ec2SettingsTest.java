package dev.mayfly.provider.ec2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mayfly.MayflyException;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Ec2SettingsTest {
  private static Map<String, String> euca(String key, String value) {
    Map<String, String> s = new HashMap<>();
    s.put("target", "euca");
    s.put("endpoint", "https://compute.example:8773/services/compute");
    s.put("region", "eucalyptus");
    s.put("image", "emi-12345678");
    s.put(key, value);
    return s;
  }

  @Test
  void eucalyptusAsUsersWriteIt() {
    Ec2Settings s = Ec2Settings.parse(euca("poll", "1m30s"));
    assertEquals("eucalyptus", s.region().id());
    assertEquals(URI.create("https://compute.example:8773/services/compute"), s.endpoint().get());
    assertEquals(Duration.ofSeconds(90), s.poll());
    assertEquals(Duration.ofMillis(500), Ec2Settings.parse(euca("poll", "500ms")).poll());
    assertEquals(Duration.ofMinutes(10), Ec2Settings.parse(euca("poll", "PT10M")).poll());
  }

  @Test
  void aZeroOrJunkWaitNamesTheTargetAndTheSetting() {
    MayflyException zero =
        assertThrows(MayflyException.class, () -> Ec2Settings.parse(euca("poll", "0s")));
    assertEquals("target 'euca': poll: '0s' must be positive", zero.getMessage());
    MayflyException junk =
        assertThrows(MayflyException.class, () -> Ec2Settings.parse(euca("api-timeout", "soon")));
    assertEquals(
        "target 'euca': api-timeout: 'soon' is not a duration (use e.g. 30d, 72h, 90m, 45s)",
        junk.getMessage());
  }

  @Test
  void eucalyptusWithoutAnEndpointSaysWhatIsMissing() {
    Map<String, String> s = euca("poll", "5s");
    s.remove("endpoint");
    MayflyException e = assertThrows(MayflyException.class, () -> Ec2Settings.parse(s));
    assertEquals(
        "target 'euca': region: 'eucalyptus' is not an AWS region (an EC2-compatible cloud needs"
            + " endpoint: or EC2_URL as well)",
        e.getMessage());
  }

  @Test
  void stableAddressIsTrueOrFalseAndOffByDefault() {
    assertEquals(false, Ec2Settings.parse(euca("poll", "5s")).stableAddress());
    assertEquals(true, Ec2Settings.parse(euca("stable-address", "true")).stableAddress());
    MayflyException e =
        assertThrows(
            MayflyException.class, () -> Ec2Settings.parse(euca("stable-address", "yes please")));
    assertEquals(
        "target 'euca': stable-address: 'yes please' is not true or false", e.getMessage());
  }
}
