package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.job.testing.ArrowOutput;
import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.SparkJobTest;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo works with nothing but the built project and decodes pictures, not noise. */
class DemoTest extends SparkJobTest {
  @Test
  void decodesRecognisablePicturesAndSaysWhereTheyAre(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("demo");

    CliRun.Result r = CliRun.run("demo", "--output", dir.toString());

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out()).contains("6 images, 0 errors", dir.resolve("png").toString(), "pyarrow");
    assertThat(ArrowOutput.images(dir.resolve("images")).column("id"))
        .containsExactlyInAnyOrder(
            "sunset-mountains",
            "smiley",
            "checkerboard",
            "traffic-light",
            "title-card",
            "color-wheel");
    BufferedImage smiley = ImageIO.read(dir.resolve("png/smiley.png").toFile());
    assertThat(smiley.getWidth()).isEqualTo(512);
    assertThat(rgb(smiley, 140, 256))
        .as("the smiley's face is yellow")
        .satisfies(
            p -> {
              assertThat(p[0]).isGreaterThan(200);
              assertThat(p[1]).isGreaterThan(170);
              assertThat(p[2]).isLessThan(80);
            });
    assertThat(rgb(smiley, 20, 20))
        .as("the sky behind it is light blue")
        .satisfies(
            p -> {
              assertThat(p[2]).isGreaterThan(200);
              assertThat(p[0]).isLessThan(160);
            });
    BufferedImage light = ImageIO.read(dir.resolve("png/traffic-light.png").toFile());
    assertThat(rgb(light, 256, 120)[0]).as("top lamp is red").isGreaterThan(180);
    assertThat(rgb(light, 256, 392)[1]).as("bottom lamp is green").isGreaterThan(150);

    CliRun.Result again = CliRun.run("demo", "--output", dir.toString());
    assertThat(again.exitCode()).as("the demo replaces its own earlier output: %s", again).isZero();
  }

  private static int[] rgb(BufferedImage image, int x, int y) {
    int p = image.getRGB(x, y);
    return new int[] {(p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff};
  }
}
