package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.latentdecode.job.testing.ArrowOutput;
import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.RunReports;
import io.latentdecode.job.testing.SparkJobTest;
import io.latentdecode.job.testing.TestLatents;
import io.latentdecode.udf.testing.SharedData;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real model through the whole job: TAEF2 decodes the shared reference latents, and the PNGs a
 * plain Arrow reader finds in the output match PyTorch's decodes.
 */
class ReferenceDecodeTest extends SparkJobTest {
  @Test
  void decodesTheReferenceLatentsToPngsThatMatchPyTorch(@TempDir Path tmp) throws Exception {
    Path model = SharedData.taef2Decoder();
    Path input = tmp.resolve("latents");
    for (String name : List.of("brick", "grass", "gravel")) {
      TestLatents.reference(input.resolve("textures"), name);
    }
    Path output = tmp.resolve("images");

    CliRun.Result result =
        CliRun.decode(
            input.toString(),
            output.toString(),
            model.toString(),
            "--output-range",
            "0,1",
            "--batch-size",
            "2");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).contains("3 images, 0 errors");
    ArrowOutput.Table images = ArrowOutput.images(output);
    assertThat(images.column("id"))
        .containsExactlyInAnyOrder("textures/brick", "textures/grass", "textures/gravel");
    for (Map<String, Object> row : images.rows()) {
      String name = row.get("id").toString().substring("textures/".length());
      BufferedImage expected =
          ImageIO.read(SharedData.taef2Reference().resolve(name + ".decoded.png").toFile());
      BufferedImage actual = ImageIO.read(new ByteArrayInputStream((byte[]) row.get("image")));
      assertThat(row.get("format")).isEqualTo("png");
      assertThat(row.get("width")).isEqualTo(expected.getWidth());
      assertThat(row.get("height")).isEqualTo(expected.getHeight());
      assertThat(actual.getWidth()).isEqualTo(expected.getWidth());
      assertThat(actual.getHeight()).isEqualTo(expected.getHeight());
      assertThat(psnr(actual, expected))
          .as("PSNR of %s vs PyTorch's decode", name)
          .isGreaterThan(45.0);
    }

    String sha256 = images.schemas().get(0).getCustomMetadata().get("latentdecode.model_sha256");
    assertThat(sha256).hasSize(64);
    assertThat(images.schemas().get(0).getCustomMetadata())
        .containsKeys("latentdecode.run_id", "latentdecode.decode_settings");
    assertThat(output.resolve("_SUCCESS")).exists();
    assertThat(output.resolve("_temporary")).doesNotExist();
    JsonNode report = RunReports.only(output);
    assertThat(report.at("/counts/images").asLong()).isEqualTo(3);
    assertThat(report.at("/counts/errors").asLong()).isZero();
    assertThat(report.at("/model/sha256").asText()).isEqualTo(sha256);
    assertThat(report.at("/settings/output_range").asText()).isEqualTo("0,1");
    assertThat(report.at("/images_per_second").asDouble()).isPositive();
  }

  static double psnr(BufferedImage a, BufferedImage b) {
    double sum = 0;
    long n = 0;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        int p = a.getRGB(x, y);
        int q = b.getRGB(x, y);
        for (int shift = 0; shift <= 16; shift += 8) {
          double d = ((p >> shift) & 0xff) - ((q >> shift) & 0xff);
          sum += d * d;
          n++;
        }
      }
    }
    return sum == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / (sum / n));
  }
}
