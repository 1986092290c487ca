package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.job.demo.Demo;
import io.latentdecode.job.testing.ArrowOutput;
import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.SparkJobTest;
import io.latentdecode.job.testing.TestLatents;
import io.latentdecode.udf.latent.NpyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Presets end to end: per-channel statistics applied as diffusers does; channel counts checked. */
class PresetDecodeTest extends SparkJobTest {
  private static final int C = 4;
  private static final int H = 4;
  private static final int W = 6;
  private static final double SCALING = 0.5;
  private static final double[] MEAN = {0.1, -0.2, 0.3, 0.05};
  private static final double[] STD = {1.5, 0.5, 2.0, 1.0};

  @Test
  void channelStatisticsDecodeLikeTheirHandWrittenMath(@TempDir Path tmp) throws Exception {
    Path model = Demo.extractDecoder(tmp.resolve("model"));
    float[] latent = TestLatents.random(11, C * H * W);
    float[] z = new float[latent.length];
    for (int i = 0; i < latent.length; i++) {
      int c = i / (H * W);
      z[i] = (float) (latent[i] * STD[c] / SCALING + MEAN[c]);
    }
    Path preset =
        Files.writeString(
            tmp.resolve("stats.json"),
            "{\"name\": \"stats\", \"scaling_factor\": "
                + SCALING
                + ", \"latents_mean\": [0.1, -0.2, 0.3, 0.05], \"latents_std\": [1.5, 0.5, 2.0,"
                + " 1.0], \"latent_channels\": 4, \"output_range\": \"-1,1\"}");
    TestLatents.write(tmp.resolve("raw/x.npy"), NpyFile.float32(latent, C, H, W));
    TestLatents.write(tmp.resolve("pre/x.npy"), NpyFile.float32(z, C, H, W));

    CliRun.Result withPreset =
        CliRun.decode(
            tmp.resolve("raw").toString(),
            tmp.resolve("o1").toString(),
            model.toString(),
            "--preset",
            preset.toString(),
            "--image-format",
            "raw");
    // sd15's scaling factor overridden by the flag: z goes into the decoder as it is.
    CliRun.Result byHand =
        CliRun.decode(
            tmp.resolve("pre").toString(),
            tmp.resolve("o2").toString(),
            model.toString(),
            "--preset",
            "sd15",
            "--scaling-factor",
            "1",
            "--image-format",
            "raw");

    assertThat(withPreset.exitCode()).as(withPreset.toString()).isZero();
    assertThat(byHand.exitCode()).as(byHand.toString()).isZero();
    byte[] a = (byte[]) ArrowOutput.images(tmp.resolve("o1")).rows().get(0).get("image");
    byte[] b = (byte[]) ArrowOutput.images(tmp.resolve("o2")).rows().get(0).get("image");
    assertThat(a).hasSameSizeAs(b);
    int maxDiff = 0;
    for (int i = 0; i < a.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs((a[i] & 0xff) - (b[i] & 0xff)));
    }
    assertThat(maxDiff).as("max 8-bit difference").isLessThanOrEqualTo(1);
    String settings =
        ArrowOutput.images(tmp.resolve("o1"))
            .schemas()
            .get(0)
            .getCustomMetadata()
            .get("latentdecode.decode_settings");
    assertThat(settings).contains("\"preset\":\"stats\"", "\"latents_std\":[1.5,0.5,2.0,1.0]");
  }

  @Test
  void aLatentWithTheWrongChannelCountIsARowErrorNamingBothNumbers(@TempDir Path tmp)
      throws Exception {
    Path model = Demo.extractDecoder(tmp.resolve("model"));
    TestLatents.randomNpy(tmp.resolve("in/eight.npy"), 1, 8, H, W);
    TestLatents.randomNpy(tmp.resolve("in/four.npy"), 2, 4, H, W);

    CliRun.Result r =
        CliRun.decode(
            tmp.resolve("in").toString(),
            tmp.resolve("out").toString(),
            model.toString(),
            "--preset",
            "sdxl",
            "--max-error-fraction",
            "1");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(ArrowOutput.images(tmp.resolve("out")).column("id")).containsExactly("four");
    Map<String, Object> error = ArrowOutput.errors(tmp.resolve("out")).rows().get(0);
    assertThat(error.get("id")).isEqualTo("eight");
    assertThat(error.get("error_kind")).isEqualTo("wrong_channels");
    assertThat(error.get("message").toString())
        .isEqualTo("the latent has 8 channels but preset sdxl expects 4");
  }
}
