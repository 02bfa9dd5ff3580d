package dev.mayfly.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mayfly.testing.MayflyCli;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API of a real daemon on the local target: every endpoint and its errors, compared with
 * the CLI's {@code --output json}, each response checked against {@code openapi.json}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebApiIT {
  WebLab lab;
  OpenApiCheck openapi;

  @BeforeAll
  void start(@TempDir Path home) {
    lab = new WebLab(home);
    WebLab.Response doc = lab.get("/openapi.json");
    assertEquals(200, doc.status());
    openapi = new OpenApiCheck(doc.json());
  }

  @AfterAll
  void stop() {
    if (lab != null) {
      lab.close();
    }
  }

  /** The response, after checking it against the document's schema for that path and status. */
  WebLab.Response checked(String method, String template, WebLab.Response r) {
    openapi.check(method, template, r.status(), r.json());
    return r;
  }

  private static JsonNode withoutClockFields(JsonNode node) {
    ObjectNode copy = node.deepCopy();
    copy.remove("expiresIn");
    copy.remove("nextSyncAt");
    copy.remove("hostAge");
    return copy;
  }

  @Test
  void aRequestWithoutOrWithAWrongTokenIs401AndTheTokenIsNotLogged() {
    String wrong = "not-the-token-" + System.nanoTime();
    WebLab.Response none =
        lab.send(HttpRequest.newBuilder(URI.create(lab.url + "api/v1/deployments")).GET());
    WebLab.Response bad =
        lab.send(
            HttpRequest.newBuilder(URI.create(lab.url + "api/v1/deployments"))
                .header("Authorization", "Bearer " + wrong)
                .GET());
    assertEquals(401, none.status());
    assertEquals(401, bad.status());
    assertEquals("application/problem+json", bad.header("Content-Type"));
    assertEquals("wrong bearer token", bad.json().get("detail").asText());
    openapi.check("get", "/deployments", 401, bad.json());
    lab.await(
        "the refusal in the log",
        Duration.ofSeconds(10),
        () ->
            lab.log()
                .contains("refused GET /api/v1/deployments from 127.0.0.1: wrong bearer token"));
    assertFalse(lab.log().contains(wrong), "the wrong token reached the log");
    assertFalse(
        lab.log().replaceFirst("its token \\(shown only this once[^\\n]*", "").contains(lab.token),
        "the token reached the log after the first-start line");
  }

  @Test
  void theTokenFileIsPrivateAndRotatingItLocksOutTheOldOne() throws Exception {
    Path file = lab.cli.stateDir().resolve("web-token");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    MayflyCli.Result r = lab.cli.run("daemon", "rotate-token");
    assertEquals(0, r.exit(), r::toString);
    String fresh = r.out().strip();
    assertNotEquals(lab.token, fresh);
    assertEquals(401, lab.get("/deployments").status());
    WebLab.Response ok =
        lab.send(
            HttpRequest.newBuilder(URI.create(lab.url + "api/v1/deployments"))
                .header("Authorization", "Bearer " + fresh)
                .GET());
    assertEquals(200, ok.status(), ok.body());
    // back to the lab's token, for the other tests
    Files.writeString(file, lab.token + "\n");
    assertEquals(200, lab.get("/deployments").status());
  }

  @Test
  void templatesAreTheCliJsonAndAnInvalidOneCarriesItsFileLineColumn() {
    JsonNode api = checked("get", "/templates", lab.get("/templates")).json();
    assertEquals(lab.cliJson("templates", "--output", "json"), api);
    JsonNode broken = null;
    for (JsonNode t : api) {
      if (t.get("name").asText().equals("broken")) {
        broken = t;
      }
    }
    assertTrue(
        broken != null && broken.get("error").asText().matches(".*broken\\.yaml:\\d+:\\d+.*"),
        api.toString());
    JsonNode tiny = checked("get", "/templates/{name}", lab.get("/templates/tiny")).json();
    assertEquals(lab.cliJson("template", "show", "tiny", "--output", "json"), tiny);
    WebLab.Response unknown = checked("get", "/templates/{name}", lab.get("/templates/nosuch"));
    assertEquals(404, unknown.status());
  }

  @Test
  void launchIs202WithAProgressStreamThenStatusAndListAreTheCliJson() throws Exception {
    WebLab.Response accepted =
        lab.post("/deployments", "{\"template\":\"tiny\",\"name\":\"api-one\"}");
    checked("post", "/deployments", accepted);
    assertEquals(202, accepted.status(), accepted.body());
    assertEquals("api-one", accepted.json().get("id").asText());
    String progress = accepted.json().get("progress").asText();
    // the stream: progress lines as they happen, then the result
    String stream =
        lab.send(
                HttpRequest.newBuilder(URI.create(lab.url + progress.substring(1)))
                    .header("Authorization", "Bearer " + lab.token)
                    .header("Accept", "text/event-stream")
                    .GET())
            .body();
    assertTrue(stream.contains("event: progress"), stream);
    assertTrue(stream.contains("event: result"), stream);
    JsonNode state = checked("get", "/launches/{id}", lab.get("/launches/api-one")).json();
    assertTrue(state.get("done").asBoolean());
    assertEquals("running", state.get("result").get("state").asText(), state.toString());

    JsonNode status = checked("get", "/deployments/{id}", lab.get("/deployments/api-one")).json();
    assertEquals(
        withoutClockFields(lab.cliJson("status", "api-one", "--output", "json")),
        withoutClockFields(status));
    JsonNode list = checked("get", "/deployments", lab.get("/deployments")).json();
    JsonNode cliList = lab.cliJson("list", "--output", "json");
    assertEquals(cliList.size(), list.size());
    for (int i = 0; i < list.size(); i++) {
      assertEquals(withoutClockFields(cliList.get(i)), withoutClockFields(list.get(i)));
    }
    JsonNode filtered = lab.get("/deployments?template=nosuch").json();
    assertEquals(0, filtered.size());
  }

  @Test
  void badInputIs400WithTheCliMessage() {
    MayflyCli.Result cli = lab.cli.run("launch", "tiny", "-p", "nosuch=1");
    assertEquals(2, cli.exit(), cli::toString);
    WebLab.Response api =
        checked(
            "post",
            "/deployments",
            lab.post("/deployments", "{\"template\":\"tiny\",\"params\":{\"nosuch\":\"1\"}}"));
    assertEquals(400, api.status());
    assertEquals(cli.err().strip(), "mayfly: " + api.json().get("detail").asText());
    assertEquals(2, api.json().get("exit").asInt());
    assertEquals(
        400, lab.post("/deployments", "{\"template\":\"tiny\",\"colour\":\"red\"}").status());
    assertEquals(400, lab.post("/deployments", "not json").status());
    assertEquals(400, lab.post("/deployments", "{}").status());
  }

  @Test
  void anUnknownDeploymentIs404WithTheCliMessage() {
    MayflyCli.Result cli = lab.cli.run("status", "nosuch");
    assertEquals(3, cli.exit(), cli::toString);
    for (WebLab.Response r :
        List.of(
            checked("get", "/deployments/{id}", lab.get("/deployments/nosuch")),
            checked("post", "/deployments/{id}/sync", lab.post("/deployments/nosuch/sync", "")),
            checked(
                "post",
                "/deployments/{id}/extend",
                lab.post("/deployments/nosuch/extend", "{\"by\":\"1d\"}")),
            checked("delete", "/deployments/{id}", lab.delete("/deployments/nosuch")))) {
      assertEquals(404, r.status(), r.body());
      assertEquals(cli.err().strip(), "mayfly: " + r.json().get("detail").asText());
      assertEquals(3, r.json().get("exit").asInt());
    }
  }

  @Test
  void extendSyncRollbackAndTerminateActAsTheirCommands() throws Exception {
    String id = lab.launch("{\"template\":\"tiny\",\"name\":\"api-two\"}");
    Instant before = Instant.parse(lab.get("/deployments/" + id).json().get("expiresAt").asText());
    JsonNode extended =
        checked(
                "post",
                "/deployments/{id}/extend",
                lab.post("/deployments/" + id + "/extend", "{\"by\":\"1d\"}"))
            .json();
    assertEquals(
        before.plus(Duration.ofDays(1)), Instant.parse(extended.get("expiresAt").asText()));
    WebLab.Response badExtend =
        checked(
            "post",
            "/deployments/{id}/extend",
            lab.post("/deployments/" + id + "/extend", "{\"by\":\"soon\"}"));
    assertEquals(400, badExtend.status());

    Path served =
        lab.cli.stateDir().resolve("sandboxes/" + id + "/host-1/root/data/current/greeting.txt");
    assertEquals("hello\n", Files.readString(served));
    Files.writeString(lab.root.resolve("apps/tiny/data/greeting.txt"), "hello again\n");
    JsonNode synced =
        checked("post", "/deployments/{id}/sync", lab.post("/deployments/" + id + "/sync", ""))
            .json();
    assertEquals(List.of("host-1"), list(synced.get("updated")));
    assertEquals("hello again\n", Files.readString(served));
    JsonNode rolled =
        checked(
                "post",
                "/deployments/{id}/rollback",
                lab.post("/deployments/" + id + "/rollback", ""))
            .json();
    assertNotEquals(synced.get("commit"), rolled.get("commit"));
    assertEquals("hello\n", Files.readString(served));

    JsonNode ended =
        checked("delete", "/deployments/{id}", lab.delete("/deployments/" + id)).json();
    assertFalse(ended.get("alreadyTerminated").asBoolean());
    assertEquals("terminated", lab.cliJson("status", id, "--output", "json").get("state").asText());
    MayflyCli.Result cli = lab.cli.run("sync", id);
    WebLab.Response wrongState =
        checked("post", "/deployments/{id}/sync", lab.post("/deployments/" + id + "/sync", ""));
    assertEquals(409, wrongState.status());
    assertEquals(cli.err().strip(), "mayfly: " + wrongState.json().get("detail").asText());
  }

  @Test
  void noSecretValueReachesTheApiThePagesOrTheLog() {
    String id =
        lab.launch(
            "{\"template\":\"xss\",\"name\":\"api-secret\",\"params\":{\"password\":\""
                + WebLab.SECRET
                + "\"}}");
    WebLab.Session s = lab.login();
    List<String> seen = new ArrayList<>();
    seen.add(lab.get("/deployments").body());
    seen.add(lab.get("/deployments/" + id).body());
    seen.add(lab.get("/launches/" + id).body());
    seen.add(lab.get("/templates/xss").body());
    seen.add(lab.page("/deployments", s.cookie()).body());
    seen.add(lab.page("/deployments/" + id, s.cookie()).body());
    seen.add(lab.page("/launches/" + id, s.cookie()).body());
    seen.add(lab.page("/templates", s.cookie()).body());
    seen.add(lab.log());
    for (String text : seen) {
      assertFalse(text.contains(WebLab.SECRET), text);
    }
    assertEquals(
        "(secret)", lab.get("/deployments/" + id).json().get("params").get("password").asText());
    assertTrue(lab.page("/deployments/" + id, s.cookie()).body().contains("(secret)"));
  }

  @Test
  void valuesFromTemplatesAndParamsRenderAsText() {
    WebLab.Session s = lab.login();
    String templates = lab.page("/templates", s.cookie()).body();
    String form = lab.page("/launch/xss", s.cookie()).body();
    for (String page : List.of(templates, form)) {
      assertFalse(page.contains("<script>alert"), page);
      assertFalse(page.contains("<img src=x"), page);
      assertTrue(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), page);
    }
    assertTrue(templates.matches("(?s).*broken\\.yaml:\\d+:\\d+.*"), templates);
  }

  @Test
  void formsNeedTheSessionItsCsrfTokenAndTheSameOrigin() {
    lab.launch("{\"template\":\"tiny\",\"name\":\"api-forms\"}");
    WebLab.Session s = lab.login();
    Instant before =
        Instant.parse(lab.get("/deployments/api-forms").json().get("expiresAt").asText());
    String path = "/deployments/api-forms/extend";
    assertEquals(401, lab.form(path, Map.of("by", "1d", "csrf", s.csrf()), null).status());
    assertEquals(403, lab.form(path, Map.of("by", "1d"), s.cookie()).status());
    assertEquals(403, lab.form(path, Map.of("by", "1d", "csrf", "forged"), s.cookie()).status());
    assertEquals(
        403,
        lab.form(
                path,
                Map.of("by", "1d", "csrf", s.csrf()),
                s.cookie(),
                "Origin",
                "http://evil.example")
            .status());
    // no mutation by GET: the action's path answers GET with 404
    assertEquals(404, lab.page(path + "?by=1d", s.cookie()).status());
    assertEquals(
        before, Instant.parse(lab.get("/deployments/api-forms").json().get("expiresAt").asText()));
    WebLab.Response ok = lab.form(path, Map.of("by", "1d", "csrf", s.csrf()), s.cookie());
    assertEquals(303, ok.status(), ok.body());
    assertEquals(
        before.plus(Duration.ofDays(1)),
        Instant.parse(lab.get("/deployments/api-forms").json().get("expiresAt").asText()));
    // pages without a session go to the login page; a wrong token there is 401
    assertEquals(303, lab.page("/deployments", null).status());
    assertEquals(401, lab.form("/login", Map.of("token", "wrong"), null).status());
    WebLab.Response page = lab.page("/deployments", s.cookie());
    String csp = page.header("Content-Security-Policy");
    assertTrue(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), csp);
    assertFalse(page.body().matches("(?s).*<script>[^<].*"), "an inline script");
  }

  private static List<String> list(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
