package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.job.testing.ArrowOutput;
import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.SparkJobTest;
import io.latentdecode.job.testing.TestLatents;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code inspect} tells what an output holds, from its reports and manifests; {@code extract}
 * writes chosen images out as files, exactly the stored bytes (raw images as PNG), and names the
 * ids it could not find.
 */
class InspectExtractTest extends SparkJobTest {
  @Test
  void inspectPrintsRunsCountsSchemaAndIds(@TempDir Path tmp) throws Exception {
    Path out = TestLatents.decodedTextures(tmp, "png");

    CliRun.Result r = CliRun.run("inspect", out.toString());

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("Runs (1, from _runs/)")
        .contains("succeeded")
        .contains("3 images, 1 errors")
        .contains("Committed (from _manifests/): 3 images, 1 errors, in ")
        .contains("Errors by kind (rows in _errors/): {invalid_latent=1}")
        .contains("  image: Binary not null")
        .contains("  width: Int(32, true) not null")
        .contains("model_sha256")
        .containsPattern("First ids: textures/\\w+, textures/\\w+, textures/\\w+");
  }

  @Test
  void extractWritesTheStoredImagesAndNamesMissingIds(@TempDir Path tmp) throws Exception {
    Path out = TestLatents.decodedTextures(tmp, "png");
    Path to = tmp.resolve("extracted");

    CliRun.Result r =
        CliRun.run(
            "extract",
            out.toString(),
            "--ids",
            "textures/brick,textures/nope",
            "--to",
            to.toString());

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("textures/nope").doesNotContain("textures/brick");
    byte[] stored = ArrowOutput.imagesById(out).get("textures/brick");
    assertThat(Files.readAllBytes(to.resolve("textures/brick.png"))).isEqualTo(stored);
    assertThat(Files.exists(to.resolve("textures/nope.png"))).isFalse();
  }

  @Test
  void rawImagesAreExtractedAsPngOfTheSamePixels(@TempDir Path tmp) throws Exception {
    Path out = TestLatents.decodedTextures(tmp, "raw");
    Path to = tmp.resolve("extracted");

    CliRun.Result r =
        CliRun.run("extract", out.toString(), "--ids", "textures/grass", "--to", to.toString());

    assertThat(r.exitCode()).as(r.toString()).isZero();
    byte[] raw = ArrowOutput.imagesById(out).get("textures/grass");
    BufferedImage png = ImageIO.read(to.resolve("textures/grass.png").toFile());
    int w = png.getWidth();
    assertThat(raw.length).isEqualTo(w * png.getHeight() * 3);
    int x = 17;
    int y = 9;
    int p = (y * w + x) * 3;
    int expected = ((raw[p] & 0xff) << 16) | ((raw[p + 1] & 0xff) << 8) | (raw[p + 2] & 0xff);
    assertThat(png.getRGB(x, y) & 0xffffff).isEqualTo(expected);
  }

  @Test
  void aMissingOutputIsAUsageError(@TempDir Path tmp) {
    CliRun.Result r = CliRun.run("inspect", tmp.resolve("nothing").toString());

    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("does not exist").contains("--output folder of a run");
  }
}
