package dev.mayfly.template;

import static dev.mayfly.template.TestTemplates.param;
import static dev.mayfly.template.TestTemplates.withParams;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mayfly.MayflyException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParamsTest {
  private final Template demo =
      withParams(
          param("email", true, null, "[^@ ]+@[^@ ]+"),
          param("title", false, "Nightly QA", null),
          param("note", false, null, null));

  @Test
  void defaultsFillInAndOrderFollowsTheTemplate() {
    Map<String, String> resolved = Params.resolve(demo, Map.of("email", "me@example.org"));
    assertEquals(List.of("email", "title", "note"), List.copyOf(resolved.keySet()));
    assertEquals(List.of("me@example.org", "Nightly QA", ""), List.copyOf(resolved.values()));
  }

  @Test
  void givenValueOverridesTheDefault() {
    assertEquals(
        "Mine", Params.resolve(demo, Map.of("email", "a@b", "title", "Mine")).get("title"));
  }

  @Test
  void unknownParamListsTheOnesTheTemplateHas() {
    MayflyException e =
        assertThrows(
            MayflyException.class, () -> Params.resolve(demo, Map.of("email", "a@b", "x", "1")));
    assertEquals(
        "param 'x': not a parameter of template 'demo' (it has: email, title, note)",
        e.getMessage());
    assertEquals(MayflyException.Exit.BAD_INPUT, e.exit());
  }

  @Test
  void unknownParamOnATemplateWithoutParams() {
    MayflyException e =
        assertThrows(MayflyException.class, () -> Params.resolve(withParams(), Map.of("x", "1")));
    assertEquals("param 'x': not a parameter of template 'demo' (it has: none)", e.getMessage());
  }

  @Test
  void missingRequiredParamSaysHowToPassIt() {
    MayflyException e = assertThrows(MayflyException.class, () -> Params.resolve(demo, Map.of()));
    assertEquals("param 'email': required (pass --param email=VALUE)", e.getMessage());
  }

  @Test
  void emptyValueDoesNotSatisfyARequiredParam() {
    MayflyException e =
        assertThrows(MayflyException.class, () -> Params.resolve(demo, Map.of("email", "")));
    assertEquals("param 'email': required (pass --param email=VALUE)", e.getMessage());
  }

  @Test
  void patternMismatchNeverEchoesTheValue() {
    String secret = "hunter2-not-an-email";
    MayflyException e =
        assertThrows(MayflyException.class, () -> Params.resolve(demo, Map.of("email", secret)));
    assertEquals("param 'email': value does not match pattern '[^@ ]+@[^@ ]+'", e.getMessage());
    assertFalse(e.getMessage().contains(secret));
  }

  @Test
  void assignmentsSplitAtTheFirstEqualsAndKeepTheRestVerbatim() {
    Map<String, String> kv = Params.parseAssignments(List.of("email=a@b", "q=x=1&y= 2 ", "empty="));
    assertEquals(Map.of("email", "a@b", "q", "x=1&y= 2 ", "empty", ""), kv);
    assertEquals(List.of("email", "q", "empty"), List.copyOf(kv.keySet()));
  }

  @Test
  void assignmentWithoutEqualsIsRejected() {
    MayflyException e =
        assertThrows(MayflyException.class, () -> Params.parseAssignments(List.of("foo")));
    assertEquals("--param 'foo': expected NAME=VALUE", e.getMessage());
    assertEquals(MayflyException.Exit.BAD_INPUT, e.exit());
  }

  @Test
  void assignmentWithoutNameDoesNotEchoTheValue() {
    MayflyException e =
        assertThrows(MayflyException.class, () -> Params.parseAssignments(List.of("=s3cret")));
    assertEquals("--param: expected NAME=VALUE, the name is missing", e.getMessage());
  }

  @Test
  void sameParamTwiceIsRejected() {
    MayflyException e =
        assertThrows(MayflyException.class, () -> Params.parseAssignments(List.of("a=1", "a=2")));
    assertEquals("--param 'a': given more than once", e.getMessage());
  }
}
