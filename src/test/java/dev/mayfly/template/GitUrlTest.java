package dev.mayfly.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GitUrlTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "https://example.org/qa.git          | URL",
        "ssh://git@example.org/srv/qa.git    | URL",
        "ssh://git@example.org:2222/qa.git   | URL",
        "git+ssh://example.org/qa.git        | URL",
        "git://example.org/qa.git            | URL",
        "file:///srv/git/qa.git              | URL",
        "git@example.org:team/qa.git         | SCP_LIKE",
        // no user: git logs in as the local user (or ~/.ssh/config's User), as for ssh itself
        "example.org:team/qa.git             | SCP_LIKE",
        "git@[fe80::1]:qa.git                | SCP_LIKE",
        "gitserver:qa                        | SCP_LIKE",
        "../apps/qa/service                  | PATH",
        "/srv/git/qa.git                     | PATH",
        "./data:v1                           | PATH",
        "apps/data:v1                        | PATH",
        "service                             | PATH",
      })
  void readsARepoValueAsGitDoes(String text, GitUrl.Kind kind) {
    assertEquals(kind, GitUrl.kind(text));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "ftp://example.org/qa.git | 'ftp://' is not a scheme git fetches here (https, http, ssh, git,"
            + " file)",
        "@example.org:qa.git      | '@example.org:qa.git' reads as git's scp-like [user@]host:path"
            + " but names no host or path; write ./@example.org:qa.git for a local folder",
        "example.org:             | 'example.org:' reads as git's scp-like [user@]host:path but"
            + " names no host or path; write ./example.org: for a local folder",
      })
  void refusesWhatGitCannotFetchWithTheReason(String text, String message) {
    assertEquals(
        message,
        assertThrows(IllegalArgumentException.class, () -> GitUrl.kind(text)).getMessage());
  }
}
