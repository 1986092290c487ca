package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.TestModels;
import io.latentdecode.udf.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code inspect-model} tells what a model is, without Spark and without loading it. */
class InspectModelTest {
  @TempDir Path tmp;

  @Test
  void aDiffusersFolderShowsItsArchitectureConventionsAndDigest() throws Exception {
    Path folder = SharedData.autoencoderKl("flux-tiny");
    CliRun.Result r = CliRun.run("inspect-model", folder.toString());

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("form:            diffusers AutoencoderKL folder")
        .contains("architecture:    AutoencoderKL")
        .contains("block_out_channels:      [32, 64, 128, 128]")
        .contains("use_post_quant_conv:     false")
        .contains("dtypes on disk:  {BF16=")
        .contains("conventions:     from " + "file:" + folder.resolve("config.json"))
        .contains("shift_factor:            0.1159")
        .contains("latent_channels:         16")
        .contains(
            "sha256:          " + sha256(folder.resolve("diffusion_pytorch_model.safetensors")));
    assertThat(SparkSession.getActiveSession().isDefined()).isFalse();
  }

  @Test
  void aSingleFileNeedsAPresetAndJsonSaysAsMuch() throws Exception {
    Path file = TestModels.sdTinyAsLdmSingleFile(tmp.resolve("vae.safetensors"));
    CliRun.Result r = CliRun.run("inspect-model", file.toString(), "--json");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode d = new ObjectMapper().readTree(r.out());
    assertThat(d.path("format").asText()).contains("original (CompVis/LDM) single file");
    assertThat(d.at("/parameters/layers_per_block").asInt()).isEqualTo(1);
    assertThat(d.at("/parameters/latent_channels").asInt()).isEqualTo(4);
    assertThat(d.at("/decode_conventions/source").asText()).contains("--preset is required");
    assertThat(d.path("parameter_count").asLong()).isEqualTo(sdTinyDecoderParameters());
  }

  @Test
  void taef2WeightsAreATaesdDecoderWithItsOwnConventions() {
    CliRun.Result r = CliRun.run("inspect-model", SharedData.taef2Weights().toString());
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("architecture:    TAESD")
        .contains("pooled_blocks:           [3, 4, 5]")
        .contains("latent_channels:         32")
        .contains("output_range:            0,1");
  }

  @Test
  void aBrokenModelIsOneLineAndExitCode2() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("empty"));
    CliRun.Result r = CliRun.run("inspect-model", folder.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains("is a folder without config.json");
  }

  /** Every decoder tensor of sd-tiny's folder (post_quant_conv included), counted from the file. */
  private static long sdTinyDecoderParameters() throws Exception {
    long n = 0;
    Path weights =
        SharedData.autoencoderKl("sd-tiny").resolve("diffusion_pytorch_model.safetensors");
    for (var e : TestModels.read(weights).entrySet()) {
      if (e.getKey().startsWith("decoder.") || e.getKey().startsWith("post_quant_conv.")) {
        n += e.getValue().bytes().length / 4;
      }
    }
    return n;
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
