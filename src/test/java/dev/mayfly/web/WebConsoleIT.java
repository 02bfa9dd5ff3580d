package dev.mayfly.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mayfly.testing.MayflyCli;
import dev.mayfly.testing.Peers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser: Debian's chromium, headless, through its chromedriver (no browser
 * download). Screenshots of each page go to {@code target/web-screenshots}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebConsoleIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SHOTS = Path.of("target/web-screenshots");

  WebLab lab;
  final List<WebDriver> browsers = new ArrayList<>();

  @BeforeAll
  void start(@TempDir Path home) throws IOException {
    Peers.require(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "chromium and chromedriver (apt-get install chromium chromium-driver)");
    Files.createDirectories(SHOTS);
    lab = new WebLab(home);
  }

  @AfterAll
  void stop() {
    browsers.forEach(WebDriver::quit);
    if (lab != null) {
      lab.close();
    }
  }

  WebDriver browser() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    WebDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    browsers.add(driver);
    return driver;
  }

  WebDriver loggedIn() {
    WebDriver b = browser();
    b.get(lab.url + "login");
    b.findElement(By.id("token")).sendKeys(lab.token);
    b.findElement(By.id("login")).click();
    waitFor(b, Duration.ofSeconds(20), d -> d.getCurrentUrl().endsWith("/deployments"));
    return b;
  }

  <T> T waitFor(WebDriver b, Duration limit, Function<WebDriver, T> condition) {
    try {
      // the page re-renders its live parts every second: an element found may be replaced before
      // it is read, so a stale one means "look again", not a failure
      return new WebDriverWait(b, limit, Duration.ofMillis(200))
          .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
          .until(condition::apply);
    } catch (org.openqa.selenium.TimeoutException e) {
      shot(b, "failed-" + System.nanoTime());
      throw new AssertionError(
          "at " + b.getCurrentUrl() + ":\n" + b.getPageSource() + "\n--- daemon log\n" + lab.log(),
          e);
    }
  }

  static void shot(WebDriver b, String name) {
    try {
      Files.copy(
          ((TakesScreenshot) b).getScreenshotAs(OutputType.FILE).toPath(),
          SHOTS.resolve(name + ".png"),
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code 1d 2h 3m}, {@code 59m 58s} as seconds. */
  static long seconds(String human) {
    long total = 0;
    for (String part : human.strip().split(" ")) {
      long n = Long.parseLong(part.substring(0, part.length() - 1));
      total +=
          n
              * switch (part.charAt(part.length() - 1)) {
                case 'd' -> 86_400;
                case 'h' -> 3_600;
                case 'm' -> 60;
                default -> 1;
              };
    }
    return total;
  }

  String countdown(WebDriver b, String id) {
    return b.findElement(By.cssSelector("#row-" + id + " .expires")).getText();
  }

  @Test
  void aPageWithoutALoginGoesToTheLoginPageAndAWrongTokenIsRefused() {
    WebDriver b = browser();
    b.get(lab.url + "deployments");
    assertTrue(b.getCurrentUrl().endsWith("/login"), b.getCurrentUrl());
    b.findElement(By.id("token")).sendKeys("wrong");
    b.findElement(By.id("login")).click();
    assertEquals(
        "wrong token",
        waitFor(b, Duration.ofSeconds(10), d -> d.findElement(By.id("login-error"))).getText());
    shot(b, "login");
  }

  @Test
  void aCliLaunchAppearsLiveInASecondSessionAndItsCountdownDecreases() {
    WebDriver first = loggedIn();
    WebDriver second = loggedIn();
    CompletableFuture<MayflyCli.Result> launch =
        CompletableFuture.supplyAsync(() -> lab.cli.run("launch", "tiny", "--name", "cli-live"));
    for (WebDriver b : List.of(first, second)) {
      waitFor(b, Duration.ofSeconds(90), d -> !d.findElements(By.id("row-cli-live")).isEmpty());
    }
    assertEquals(0, launch.join().exit(), launch.join()::toString);
    waitFor(
        second,
        Duration.ofSeconds(30),
        d -> d.findElement(By.cssSelector("#row-cli-live .state")).getText().equals("running"));
    long before = seconds(countdown(second, "cli-live"));
    waitFor(second, Duration.ofSeconds(10), d -> seconds(countdown(d, "cli-live")) < before);
    shot(second, "deployments");
  }

  @Test
  void aCliSyncAndTheDaemonsExpiryShowUpOnAnOpenPageWithoutAReload() {
    MayflyCli.Result launched =
        lab.cli.run("launch", "tiny", "--name", "seen-live", "--expires", "40s");
    assertEquals(0, launched.exit(), launched::toString);
    WebDriver b = loggedIn();
    b.get(lab.url + "deployments/seen-live");
    // a reload would drop this mark: what follows must arrive by the page's own refresh
    ((JavascriptExecutor) b).executeScript("window.sameDocument = true");
    int events = b.findElements(By.cssSelector("#history tbody tr")).size();

    MayflyCli.Result sync = lab.cli.run("sync", "seen-live");
    assertEquals(0, sync.exit(), sync::toString);
    // the page refreshes every second; 5 s leaves room for a loaded machine
    waitFor(
        b,
        Duration.ofSeconds(5),
        d ->
            d.findElements(By.cssSelector("#history tbody tr")).size() > events
                && d.findElement(By.id("history")).getText().contains("sync-unchanged"));

    // an expired deployment is terminated, with the daemon's "expired" in its history
    waitFor(
        b,
        Duration.ofSeconds(90),
        d ->
            d.findElement(By.id("state")).getText().equals("terminated")
                && d.findElement(By.id("history")).getText().contains("1 host(s) ended"));
    assertEquals(
        Boolean.TRUE,
        ((JavascriptExecutor) b).executeScript("return window.sameDocument === true"),
        "the page was reloaded");
    shot(b, "expired-live");
  }

  @Test
  void launchFromTheFormStreamsProgressUntilHealthyThenExtendRollbackAndTerminate()
      throws Exception {
    WebDriver b = loggedIn();
    b.get(lab.url + "templates");
    shot(b, "templates");
    b.findElement(By.id("launch-tiny")).click();
    shot(b, "launch-form");
    b.findElement(By.id("launch")).click();
    WebElement launched =
        waitFor(
            b,
            Duration.ofSeconds(120),
            d -> d.findElements(By.id("launched")).stream().findFirst().orElse(null));
    assertTrue(launched.getText().startsWith("Running at http://127.0.0.1:"), launched.getText());
    assertTrue(
        b.findElement(By.id("progress")).getText().contains("health"),
        b.findElement(By.id("progress")).getText());
    shot(b, "progress");
    String id = b.getCurrentUrl().substring(b.getCurrentUrl().lastIndexOf('/') + 1);
    assertEquals(
        "healthy",
        lab.get("/deployments/" + id).json().get("hostDetails").get(0).get("state").asText());

    b.get(lab.url + "deployments/" + id);
    long left = seconds(b.findElement(By.cssSelector("#expires-in .expires")).getText());
    b.findElement(By.id("extend-1d")).click();
    waitFor(
        b,
        Duration.ofSeconds(20),
        d ->
            seconds(d.findElement(By.cssSelector("#expires-in .expires")).getText())
                > left + 86_000);

    Path served =
        lab.cli.stateDir().resolve("sandboxes/" + id + "/host-1/root/data/current/greeting.txt");
    Files.writeString(lab.root.resolve("apps/tiny/data/greeting.txt"), "hello from the form\n");
    b.findElement(By.id("sync")).click();
    waitFor(
        b,
        Duration.ofSeconds(60),
        d -> d.findElement(By.id("notice")).getText().startsWith("sync: data at"));
    assertEquals("hello from the form\n", Files.readString(served));
    // the releases listed are the ones the host holds, as rollback chooses from
    waitFor(
        b,
        Duration.ofSeconds(20),
        d -> d.findElements(By.cssSelector("button.rollback")).size() == 1);
    assertEquals("held by host-1, newest first", b.findElement(By.id("releases-source")).getText());
    b.findElement(By.cssSelector("button.rollback")).click();
    waitFor(
        b,
        Duration.ofSeconds(60),
        d -> d.findElement(By.id("notice")).getText().startsWith("rollback: data at"));
    assertEquals("hello\n", Files.readString(served));
    shot(b, "deployment");

    b.findElement(By.id("terminate")).click();
    assertTrue(b.findElement(By.tagName("h1")).getText().contains(id));
    shot(b, "terminate-confirm");
    b.findElement(By.id("confirm")).sendKeys(id);
    b.findElement(By.id("confirm-terminate")).click();
    waitFor(b, Duration.ofSeconds(60), d -> d.getCurrentUrl().endsWith("/deployments"));
    assertTrue(b.findElements(By.id("row-" + id)).isEmpty(), "still listed after terminate");
    assertEquals("terminated", lab.cliJson("status", id, "--output", "json").get("state").asText());
    assertFalse(Files.exists(served), "the host still has the deployment's data");
  }

  @Test
  void aRequiredParamLeftEmptyIsRefusedWithTheFieldNamed() {
    WebDriver b = loggedIn();
    b.get(lab.url + "launch/xss");
    WebElement password = b.findElement(By.id("param-password"));
    assertEquals("password", password.getAttribute("type"));
    b.findElement(By.id("launch")).click();
    // the browser refuses first (HTML validation), and the page stays
    assertFalse(password.getDomProperty("validationMessage").isEmpty());
    assertTrue(b.getCurrentUrl().endsWith("/launch/xss"));
    // the server refuses too, naming the field, for a client that skips the browser's check
    WebLab.Session s = lab.login();
    WebLab.Response r = lab.form("/launch/xss", Map.of("csrf", s.csrf()), s.cookie());
    assertEquals(400, r.status(), r.body());
    assertTrue(r.body().contains("password"), r.body());
  }

  @Test
  void payloadsInTemplatesAndParamsRenderAsText() {
    WebDriver b = loggedIn();
    b.get(lab.url + "templates");
    assertEquals(WebLab.XSS, b.findElement(By.cssSelector("#template-xss .description")).getText());
    assertThrows(NoAlertPresentException.class, () -> b.switchTo().alert());
    b.get(lab.url + "launch/xss");
    assertEquals(WebLab.XSS, b.findElement(By.id("param-motto")).getDomProperty("value"));
    assertTrue(b.findElements(By.cssSelector("img")).isEmpty(), "an injected img element");
    assertThrows(NoAlertPresentException.class, () -> b.switchTo().alert());
  }

  @Test
  void aCrossSiteFormPostIsRefused(@TempDir Path dir) throws Exception {
    String id = lab.launch("{\"template\":\"tiny\",\"name\":\"web-csrf\"}");
    Instant before = Instant.parse(lab.get("/deployments/" + id).json().get("expiresAt").asText());
    WebDriver b = loggedIn();
    Path evil = dir.resolve("evil.html");
    Files.writeString(
        evil,
        "<form method=post action=\""
            + lab.url
            + "deployments/"
            + id
            + "/extend\"><input name=by value=7d><button id=go>win a prize</button></form>");
    b.get(evil.toUri().toString());
    b.findElement(By.id("go")).click();
    waitFor(b, Duration.ofSeconds(20), d -> d.getCurrentUrl().startsWith(lab.url));
    assertEquals(
        before, Instant.parse(lab.get("/deployments/" + id).json().get("expiresAt").asText()));
    shot(b, "cross-site-refused");
  }
}
