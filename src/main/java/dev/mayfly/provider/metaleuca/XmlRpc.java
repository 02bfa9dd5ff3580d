package dev.mayfly.provider.metaleuca;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * A small XML-RPC client on the JDK alone (HttpURLConnection and javax.xml): Apache XML-RPC, the
 * usual Java library, has had no release since 2013, and Cobbler needs only the core types. Values
 * map to Java as string, int, boolean, double, {@code List<Object>}, {@code Map<String, Object>}
 * and null ({@code <nil/>}, which Cobbler's server allows).
 */
final class XmlRpc {
  private final URI endpoint;
  private final Duration timeout;

  XmlRpc(URI endpoint, Duration timeout) {
    this.endpoint = endpoint;
    this.timeout = timeout;
  }

  URI endpoint() {
    return endpoint;
  }

  /** A {@code <fault>} answer: the server ran the method and it failed. */
  static final class Fault extends Exception {
    private static final long serialVersionUID = 1L;
    final int code;

    Fault(int code, String message) {
      super(message);
      this.code = code;
    }
  }

  /** The server could not be reached or did not answer XML-RPC. */
  static final class Unreachable extends Exception {
    private static final long serialVersionUID = 1L;

    Unreachable(String message) {
      super(message);
    }
  }

  Object call(String method, Object... params) throws Fault, Unreachable {
    byte[] body = encodeCall(method, params).getBytes(StandardCharsets.UTF_8);
    HttpURLConnection c = null;
    try {
      c = (HttpURLConnection) endpoint.toURL().openConnection(Proxy.NO_PROXY);
      c.setConnectTimeout((int) timeout.toMillis());
      c.setReadTimeout((int) timeout.toMillis());
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setRequestProperty("Content-Type", "text/xml; charset=utf-8");
      // one connection per call: cobblerd's Python server closes connections, and reusing one it
      // has
      // just closed fails with no answer at all
      c.setRequestProperty("Connection", "close");
      c.setFixedLengthStreamingMode(body.length);
      try (OutputStream out = c.getOutputStream()) {
        out.write(body);
      }
      int status = c.getResponseCode();
      if (status != 200) {
        throw new Unreachable("HTTP " + status + " (is this the XML-RPC path, like /cobbler_api?)");
      }
      try (InputStream in = c.getInputStream()) {
        return decodeResponse(in.readAllBytes());
      }
    } catch (IOException e) {
      throw new Unreachable(
          e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    } finally {
      if (c != null) {
        c.disconnect();
      }
    }
  }

  static String encodeCall(String method, Object... params) {
    StringBuilder xml = new StringBuilder("<?xml version=\"1.0\"?><methodCall><methodName>");
    escape(xml, method);
    xml.append("</methodName><params>");
    for (Object p : params) {
      xml.append("<param>");
      encodeValue(xml, p);
      xml.append("</param>");
    }
    return xml.append("</params></methodCall>").toString();
  }

  private static void encodeValue(StringBuilder xml, Object v) {
    xml.append("<value>");
    if (v == null) {
      xml.append("<nil/>");
    } else if (v instanceof String s) {
      xml.append("<string>");
      escape(xml, s);
      xml.append("</string>");
    } else if (v instanceof Boolean b) {
      xml.append("<boolean>").append(b ? 1 : 0).append("</boolean>");
    } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      xml.append("<int>").append(v).append("</int>");
    } else if (v instanceof Number n) {
      xml.append("<double>").append(n.doubleValue()).append("</double>");
    } else if (v instanceof List<?> list) {
      xml.append("<array><data>");
      list.forEach(e -> encodeValue(xml, e));
      xml.append("</data></array>");
    } else if (v instanceof Map<?, ?> map) {
      xml.append("<struct>");
      map.forEach(
          (k, e) -> {
            xml.append("<member><name>");
            escape(xml, String.valueOf(k));
            xml.append("</name>");
            encodeValue(xml, e);
            xml.append("</member>");
          });
      xml.append("</struct>");
    } else {
      throw new IllegalArgumentException("no XML-RPC type for " + v.getClass().getName());
    }
    xml.append("</value>");
  }

  private static void escape(StringBuilder xml, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> xml.append("&lt;");
        case '>' -> xml.append("&gt;");
        case '&' -> xml.append("&amp;");
        case '"' -> xml.append("&quot;");
        case '\r' -> xml.append("&#13;");
        default -> xml.append(c);
      }
    }
  }

  static Object decodeResponse(byte[] body) throws Fault, Unreachable {
    Element root;
    try {
      root = parser().parse(new ByteArrayInputStream(body)).getDocumentElement();
    } catch (SAXException | IOException e) {
      throw new Unreachable("answer is not XML: " + e.getMessage());
    }
    if (!root.getTagName().equals("methodResponse")) {
      throw new Unreachable("answer is not an XML-RPC methodResponse");
    }
    Element fault = child(root, "fault");
    if (fault != null) {
      Object value = decodeValue(child(fault, "value"));
      if (value instanceof Map<?, ?> m) {
        Object code = m.get("faultCode");
        return throwFault(code instanceof Integer i ? i : 0, String.valueOf(m.get("faultString")));
      }
      return throwFault(0, String.valueOf(value));
    }
    Element params = child(root, "params");
    Element param = params == null ? null : child(params, "param");
    if (param == null) {
      throw new Unreachable("XML-RPC answer has no value");
    }
    return decodeValue(child(param, "value"));
  }

  private static Object throwFault(int code, String message) throws Fault {
    throw new Fault(code, message);
  }

  private static Object decodeValue(Element value) throws Unreachable {
    if (value == null) {
      throw new Unreachable("XML-RPC answer has an empty value");
    }
    Element typed = firstElement(value);
    if (typed == null) {
      return value.getTextContent(); // an untyped value is a string
    }
    String text = typed.getTextContent();
    try {
      switch (typed.getTagName()) {
        case "string":
        case "dateTime.iso8601":
        case "base64":
          return text;
        case "int":
        case "i4":
          return Integer.valueOf(text.strip());
        case "i8":
          return Long.valueOf(text.strip());
        case "boolean":
          return text.strip().equals("1");
        case "double":
          return Double.valueOf(text.strip());
        case "nil":
          return null;
        case "array":
          {
            List<Object> list = new ArrayList<>();
            Element data = child(typed, "data");
            for (Node n = data == null ? null : data.getFirstChild();
                n != null;
                n = n.getNextSibling()) {
              if (n instanceof Element e && e.getTagName().equals("value")) {
                list.add(decodeValue(e));
              }
            }
            return list;
          }
        case "struct":
          {
            Map<String, Object> map = new LinkedHashMap<>();
            for (Node n = typed.getFirstChild(); n != null; n = n.getNextSibling()) {
              if (n instanceof Element member && member.getTagName().equals("member")) {
                Element name = child(member, "name");
                map.put(
                    name == null ? "" : name.getTextContent(), decodeValue(child(member, "value")));
              }
            }
            return map;
          }
        default:
          throw new Unreachable("unknown XML-RPC type <" + typed.getTagName() + ">");
      }
    } catch (NumberFormatException e) {
      throw new Unreachable("bad XML-RPC number '" + text + "'");
    }
  }

  private static Element child(Element parent, String tag) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(tag)) {
        return e;
      }
    }
    return null;
  }

  private static Element firstElement(Element parent) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e) {
        return e;
      }
    }
    return null;
  }

  /** No DTDs, no external entities: an answer is data, never a reason to fetch anything. */
  private static DocumentBuilder parser() {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setXIncludeAware(false);
      factory.setExpandEntityReferences(false);
      return factory.newDocumentBuilder();
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException(e);
    }
  }
}
