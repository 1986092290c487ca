package io.latentdecode.job.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * A page loaded in a real browser: Debian's {@code chromium}, headless, with its console messages
 * (which it logs as {@code INFO:CONSOLE} lines with {@code --enable-logging=stderr}) and a
 * screenshot.
 */
public final class HeadlessChromium {
  private HeadlessChromium() {}

  /** The page's console messages (any is a problem for a page without scripts) and a picture. */
  public record PageLoad(List<String> consoleMessages, BufferedImage screenshot, String log) {}

  /** Skips outside CI when chromium is missing; fails under CI=true. */
  public static Path require() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : List.of("chromium", "chromium-browser")) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    String why = "no chromium on PATH (apt-get install chromium; .ci/run installs it)";
    if ("true".equals(System.getenv("CI"))) {
      fail(why);
    }
    assumeTrue(false, why);
    return null;
  }

  public static PageLoad load(Path page, Path workDir, int width, int height) throws Exception {
    Path chromium = require();
    Files.createDirectories(workDir);
    Path screenshot = workDir.resolve("screenshot.png");
    Path log = workDir.resolve("chromium.log");
    Process p =
        new ProcessBuilder(
                chromium.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--enable-logging=stderr",
                "--v=0",
                "--user-data-dir=" + workDir.resolve("profile"),
                "--window-size=" + width + "," + height,
                "--screenshot=" + screenshot,
                page.toUri().toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      fail("chromium did not finish within 120 s: " + Files.readString(log));
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    if (p.exitValue() != 0 || !Files.isRegularFile(screenshot)) {
      fail("chromium failed (exit " + p.exitValue() + "): " + output);
    }
    List<String> console = output.lines().filter(l -> l.contains(":CONSOLE")).toList();
    return new PageLoad(console, ImageIO.read(screenshot.toFile()), output);
  }

  /** Distinct colours in a picture: text and flat boxes have a few hundred, photographs many. */
  public static int distinctColours(BufferedImage image) {
    java.util.Set<Integer> colours = new java.util.HashSet<>();
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        colours.add(image.getRGB(x, y) & 0xffffff);
      }
    }
    return colours.size();
  }
}
