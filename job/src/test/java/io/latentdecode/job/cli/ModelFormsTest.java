package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.latentdecode.job.testing.ArrowOutput;
import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.RunReports;
import io.latentdecode.job.testing.SparkJobTest;
import io.latentdecode.job.testing.TestLatents;
import io.latentdecode.job.testing.TestModels;
import io.latentdecode.udf.testing.SharedData;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every form {@code --model} accepts decodes the shared references through the whole job, with no
 * export step: diffusers VAE folders (F32 and BF16 weights), a pipeline folder, a Hugging Face
 * cache folder, a single-file checkpoint in the original LDM layout, TAEF2's safetensors and the
 * same as a diffusers AutoencoderTiny folder. The PNGs a plain reader finds are within one 8-bit
 * level of diffusers' (PSNR >= 45 dB), and the TorchScript trace of a model gives the same pixels
 * as its weights loaded directly.
 */
class ModelFormsTest extends SparkJobTest {
  private static final List<String> KL_LATENTS = List.of("a_32x32", "b_24x40", "c_48x48");

  @TempDir Path tmp;

  @Test
  void aDiffusersFolderDecodesWithTheConventionsOfItsConfig() throws Exception {
    Path output = decodeKl("sd-tiny", SharedData.autoencoderKl("sd-tiny"));
    JsonNode report = RunReports.only(output);
    assertThat(report.at("/model/format").asText()).isEqualTo("diffusers AutoencoderKL folder");
    assertThat(report.at("/model/parameters/block_out_channels").toString())
        .isEqualTo("[32,64,128,128]");
    assertThat(report.at("/model/parameter_count").asLong()).isPositive();
    assertThat(report.at("/settings/scaling_factor").asDouble()).isEqualTo(0.18215);
    assertThat(report.at("/model/convention_sources/scaling_factor").asText())
        .endsWith("sd-tiny/config.json");
  }

  @Test
  void aFluxFolderWithBfloat16WeightsAndAShiftFactor() throws Exception {
    Path output = decodeKl("flux-tiny", SharedData.autoencoderKl("flux-tiny"));
    JsonNode report = RunReports.only(output);
    assertThat(report.at("/model/dtypes_on_disk/BF16").asLong()).isPositive();
    assertThat(report.at("/settings/shift_factor").asDouble()).isEqualTo(0.1159);
    assertThat(report.at("/settings/latent_channels").asInt()).isEqualTo(16);
  }

  @Test
  void aPipelineFolderMeansItsVaeAndAHuggingFaceCacheFolderItsSnapshot() throws Exception {
    Path vae = SharedData.autoencoderKl("sd-tiny");
    Path pipeline = TestModels.pipelineFolder(vae, tmp.resolve("pipeline"));
    assertThat(RunReports.only(decodeKl("sd-tiny", pipeline)).at("/model/location").asText())
        .endsWith("pipeline/vae");
    Path cache = TestModels.huggingFaceCache(vae, tmp.resolve("hub"));
    assertThat(RunReports.only(decodeKl("sd-tiny", cache)).at("/model/location").asText())
        .contains("snapshots/0123456789abcdef");
  }

  @Test
  void theFullPrecisionWeightsArePreferredAndModelVariantPicksTheFp16Ones() throws Exception {
    Path vae = SharedData.autoencoderKl("sd-tiny");
    Path folder = TestModels.linkVae(vae, tmp.resolve("both"));
    TestModels.toFloat16(
        vae.resolve("diffusion_pytorch_model.safetensors"),
        folder.resolve("diffusion_pytorch_model.fp16.safetensors"));
    JsonNode full = RunReports.only(decodeKl("sd-tiny", folder));
    assertThat(full.at("/model/uri").asText()).endsWith("/diffusion_pytorch_model.safetensors");

    Path output = tmp.resolve("fp16");
    CliRun.Result r = run(klInput("sd-tiny"), output, folder.toString(), "--model-variant", "fp16");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    JsonNode variant = RunReports.only(output);
    assertThat(variant.at("/model/uri").asText())
        .endsWith("diffusion_pytorch_model.fp16.safetensors");
    assertThat(variant.at("/model/dtypes_on_disk/F16").asLong()).isPositive();

    Path onlyFp16 = Files.createDirectories(tmp.resolve("only-fp16"));
    Files.createSymbolicLink(onlyFp16.resolve("config.json"), vae.resolve("config.json"));
    Files.createSymbolicLink(
        onlyFp16.resolve("diffusion_pytorch_model.fp16.safetensors"),
        folder.resolve("diffusion_pytorch_model.fp16.safetensors"));
    Path alone = tmp.resolve("alone");
    assertThat(run(klInput("sd-tiny"), alone, onlyFp16.toString(), "--batch-size", "3").exitCode())
        .isZero();
    assertThat(RunReports.only(alone).at("/model/uri").asText()).endsWith("fp16.safetensors");
  }

  @Test
  void aSingleFileCheckpointInTheOriginalLayoutDecodesWithItsPreset() throws Exception {
    Path weights = TestModels.sdTinyAsLdmSingleFile(tmp.resolve("vae-ldm.safetensors"));
    Path output = decodeKl("sd-tiny", weights, "--preset", "sd15");
    JsonNode report = RunReports.only(output);
    assertThat(report.at("/model/weight_layout").asText()).contains("LDM");
    assertThat(report.at("/model/convention_sources/scaling_factor").asText())
        .isEqualTo("preset sd15");
  }

  @Test
  void taef2WeightsAndTheSameAsAnAutoencoderTinyFolder() throws Exception {
    Path file = decodeTaef2(SharedData.taef2Weights());
    assertThat(RunReports.only(file).at("/model/architecture").asText()).isEqualTo("TAESD");
    Path folder =
        TestModels.autoencoderTinyFolder(SharedData.taef2Weights(), tmp.resolve("taef2-tiny"), 32);
    assertThat(RunReports.only(decodeTaef2(folder)).at("/model/format").asText())
        .isEqualTo("diffusers AutoencoderTiny folder");
  }

  @Test
  void theReferencesDecodedInSharedStatisticsTilesAreTheWholeDecodes() throws Exception {
    // 16-pixel tiles: 4, 6 and 9 of them for the 32x32, 24x40 and 48x48 latents; every image
    // within one 8-bit level of diffusers' whole decode.
    for (String model : List.of("sd-tiny", "flux-tiny")) {
      JsonNode report =
          RunReports.only(decodeKl(model, SharedData.autoencoderKl(model), "--tile-size", "16"));
      assertThat(report.at("/settings/tile_mode").asText()).isEqualTo("shared-statistics");
      assertThat(report.at("/counts/tiled_images").asLong()).as(model).isEqualTo(3);
    }
    JsonNode taef2 = RunReports.only(decodeTaef2(SharedData.taef2Weights(), "--tile-size", "16"));
    assertThat(taef2.at("/settings/tile_mode").asText()).isEqualTo("shared-statistics");
    assertThat(taef2.at("/counts/tiled_images").asLong()).isEqualTo(3);
  }

  @Test
  void theTorchScriptTraceAndTheWeightsGiveTheSamePixels() throws Exception {
    Path folder = SharedData.autoencoderKl("sd-tiny");
    Path input = klInput("sd-tiny");
    Path direct = tmp.resolve("direct");
    Path traced = tmp.resolve("traced");
    assertThat(run(input, direct, folder.toString(), "--image-format", "raw").exitCode()).isZero();
    assertThat(
            run(
                    input,
                    traced,
                    folder.resolve("decoder.ts.pt").toString(),
                    "--preset",
                    "sd15",
                    "--image-format",
                    "raw")
                .exitCode())
        .isZero();
    Map<Object, byte[]> a = ArrowOutput.imagesById(direct);
    Map<Object, byte[]> b = ArrowOutput.imagesById(traced);
    assertThat(a.keySet()).hasSize(3).isEqualTo(b.keySet());
    for (Object id : a.keySet()) {
      int worst = 0;
      for (int i = 0; i < a.get(id).length; i++) {
        worst = Math.max(worst, Math.abs((a.get(id)[i] & 0xff) - (b.get(id)[i] & 0xff)));
      }
      assertThat(worst).as("largest 8-bit difference of %s", id).isLessThanOrEqualTo(1);
    }
  }

  private Path klInput(String model) throws Exception {
    Path input = tmp.resolve("latents-" + model);
    if (!Files.isDirectory(input)) {
      Files.createDirectories(input);
      for (String name : KL_LATENTS) {
        Files.copy(
            SharedData.autoencoderKlReference(model).resolve(name + ".npy"),
            input.resolve(name + ".npy"));
      }
    }
    return input;
  }

  private Path decodeKl(String reference, Path model, String... more) throws Exception {
    Path output = Files.createTempDirectory(tmp, "images-").resolve("out");
    CliRun.Result r = run(klInput(reference), output, model.toString(), more);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertMatches(output, SharedData.autoencoderKlReference(reference), KL_LATENTS, "");
    return output;
  }

  private Path decodeTaef2(Path model, String... more) throws Exception {
    Path input = tmp.resolve("textures");
    if (!Files.isDirectory(input)) {
      for (String name : List.of("brick", "grass", "gravel")) {
        TestLatents.reference(input, name);
      }
    }
    Path output = Files.createTempDirectory(tmp, "images-").resolve("out");
    CliRun.Result r = run(input, output, model.toString(), more);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    List<String> names = new ArrayList<>();
    for (Object id : ArrowOutput.images(output).column("id")) {
      names.add(id.toString());
    }
    assertThat(names).containsExactlyInAnyOrder("brick", "grass", "gravel");
    assertMatches(output, SharedData.taef2Reference(), names, "");
    return output;
  }

  private static CliRun.Result run(Path input, Path output, String model, String... more) {
    return CliRun.decode(input.toString(), output.toString(), model, more);
  }

  /** Every reference image is in the output within one 8-bit level, PSNR >= 45 dB. */
  private static void assertMatches(Path output, Path references, List<String> names, String prefix)
      throws Exception {
    ArrowOutput.Table images = ArrowOutput.images(output);
    assertThat(images.rows()).hasSize(names.size());
    for (Map<String, Object> row : images.rows()) {
      String name = row.get("id").toString().substring(prefix.length());
      assertThat(names).contains(name);
      BufferedImage expected = ImageIO.read(references.resolve(name + ".decoded.png").toFile());
      BufferedImage actual = ImageIO.read(new ByteArrayInputStream((byte[]) row.get("image")));
      assertThat(actual.getWidth()).isEqualTo(expected.getWidth());
      assertThat(actual.getHeight()).isEqualTo(expected.getHeight());
      int worst = 0;
      for (int y = 0; y < actual.getHeight(); y++) {
        for (int x = 0; x < actual.getWidth(); x++) {
          int p = actual.getRGB(x, y);
          int q = expected.getRGB(x, y);
          for (int shift = 0; shift <= 16; shift += 8) {
            worst = Math.max(worst, Math.abs(((p >> shift) & 0xff) - ((q >> shift) & 0xff)));
          }
        }
      }
      assertThat(worst).as("largest 8-bit difference of %s", name).isLessThanOrEqualTo(1);
      assertThat(ReferenceDecodeTest.psnr(actual, expected))
          .as("PSNR of %s", name)
          .isGreaterThan(45);
    }
  }
}
