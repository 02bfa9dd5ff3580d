package dev.mayfly.provider.metaleuca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class XmlRpcTest {
  private static Object decode(String xml) throws Exception {
    return XmlRpc.decodeResponse(xml.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void decodesCobblersTypesIncludingUntypedStringsAndNil() throws Exception {
    Object v =
        decode(
            "<?xml version='1.0'?><methodResponse><params><param><value><struct>"
                + "<member><name>name</name><value>m1</value></member>"
                + "<member><name>owners</name><value><array><data><value><string>qa</string></value></data></array></value></member>"
                + "<member><name>netboot_enabled</name><value><boolean>1</boolean></value></member>"
                + "<member><name>depth</name><value><int>2</int></value></member>"
                + "<member><name>gone</name><value><nil/></value></member>"
                + "</struct></value></param></params></methodResponse>");
    Map<String, Object> expected = new java.util.LinkedHashMap<>();
    expected.put("name", "m1");
    expected.put("owners", List.of("qa"));
    expected.put("netboot_enabled", true);
    expected.put("depth", 2);
    expected.put("gone", null);
    assertEquals(expected, v);
  }

  @Test
  void aFaultBecomesAnExceptionWithCobblersMessage() {
    XmlRpc.Fault f =
        assertThrows(
            XmlRpc.Fault.class,
            () ->
                decode(
                    "<methodResponse><fault><value><struct>"
                        + "<member><name>faultCode</name><value><int>1</int></value></member>"
                        + "<member><name>faultString</name><value><string>login failed (cobbler)</string></value></member>"
                        + "</struct></value></fault></methodResponse>"));
    assertEquals("login failed (cobbler)", f.getMessage());
  }

  @Test
  void answersWithADoctypeAreRefusedSoNoEntityIsEverExpanded() {
    assertThrows(
        XmlRpc.Unreachable.class,
        () ->
            decode(
                "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM"
                    + " 'file:///etc/passwd'>]><methodResponse><params><param><value>&e;</value></param></params>"
                    + "</methodResponse>"));
  }

  @Test
  void encodesArgumentsEscapedAndTyped() {
    String xml =
        XmlRpc.encodeCall(
            "modify_system",
            "system::a<b",
            "netboot_enabled",
            true,
            Arrays.asList(1, null),
            Map.of("k", "v&w"));
    assertTrue(xml.contains("<string>system::a&lt;b</string>"), xml);
    assertTrue(xml.contains("<boolean>1</boolean>"), xml);
    assertTrue(
        xml.contains(
            "<array><data><value><int>1</int></value><value><nil/></value></data></array>"),
        xml);
    assertTrue(
        xml.contains("<member><name>k</name><value><string>v&amp;w</string></value></member>"),
        xml);
  }
}
