package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.job.testing.HeadlessChromium;
import io.latentdecode.job.testing.RunReports;
import io.latentdecode.job.testing.SparkJobTest;
import io.latentdecode.job.testing.TestLatents;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run's page ({@code _runs/<run-id>.html}) is self-contained and shows the run: loaded in a
 * real headless browser it logs nothing to the console, and its contact sheet renders the decoded
 * photographs (the screenshot holds thousands of colours, a page of text and boxes a few hundred).
 */
class RunReportPageTest extends SparkJobTest {
  @Test
  void thePageLoadsCleanlyAndShowsTheDecodedPictures(@TempDir Path tmp) throws Exception {
    HeadlessChromium.require();
    Path out = TestLatents.decodedTextures(tmp, "png");
    String runId = RunReports.only(out).path("run_id").asText();
    Path page = out.resolve("_runs/" + runId + ".html");
    String html = Files.readString(page);

    assertThat(html)
        .contains("<title>latent-decode run " + runId)
        .contains("<code>textures/broken</code>")
        .contains("invalid_latent")
        .contains("forward")
        .doesNotContain("http://", "https://");
    assertThat(html.split("src=\"data:image/png;base64,", -1)).hasSize(4);

    HeadlessChromium.PageLoad load =
        HeadlessChromium.load(page, tmp.resolve("chromium"), 1200, 2400);
    assertThat(load.consoleMessages()).as(load.log()).isEmpty();
    assertThat(HeadlessChromium.distinctColours(load.screenshot())).isGreaterThan(3000);
    Files.copy(
        tmp.resolve("chromium/screenshot.png"),
        Path.of("target/run-report-screenshot.png"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void theColourCountTellsPicturesFromText(@TempDir Path tmp) throws Exception {
    HeadlessChromium.require();
    Path page = tmp.resolve("text.html");
    Files.writeString(
        page,
        "<!DOCTYPE html><html><head><link rel=\"icon\" href=\"data:,\"></head><body>"
            + "<h1>Only text</h1><p>and a box</p><div style=\"width:200px;height:80px;"
            + "background:#4f7cd6\"></div></body></html>");

    HeadlessChromium.PageLoad load =
        HeadlessChromium.load(page, tmp.resolve("chromium"), 1200, 2400);

    assertThat(load.consoleMessages()).isEmpty();
    assertThat(HeadlessChromium.distinctColours(load.screenshot())).isLessThan(3000);
  }

  @Test
  void consoleErrorsAreSeen(@TempDir Path tmp) throws Exception {
    HeadlessChromium.require();
    Path page = tmp.resolve("broken.html");
    Files.writeString(
        page,
        "<!DOCTYPE html><html><head><link rel=\"icon\" href=\"data:,\"></head><body>"
            + "<script>undefinedFunction();</script></body></html>");

    HeadlessChromium.PageLoad load = HeadlessChromium.load(page, tmp.resolve("chromium"), 400, 300);

    assertThat(load.consoleMessages()).anyMatch(m -> m.contains("undefinedFunction"));
  }
}
