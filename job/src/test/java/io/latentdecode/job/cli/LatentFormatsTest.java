package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.job.demo.Demo;
import io.latentdecode.job.testing.ArrowLatents;
import io.latentdecode.job.testing.ArrowOutput;
import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.SparkJobTest;
import io.latentdecode.job.testing.TestLatents;
import io.latentdecode.job.testing.TestLatents.Tensor;
import io.latentdecode.udf.latent.NpyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every latent file format in one folder: batched .npy, safetensors (F32, F16, BF16, batched),
 * Arrow IPC with a carried column, FLUX-packed latents, and pickle files refused with the reason.
 * All latents hold the same values, so every image must be the same pixels.
 */
class LatentFormatsTest extends SparkJobTest {
  private static final int C = 4;
  private static final int H = 8;
  private static final int W = 8;
  private static final int[] SHAPE = {C, H, W};

  @Test
  void aFolderOfMixedFormatsDecodesEveryLatentAndRefusesPickles(@TempDir Path tmp)
      throws Exception {
    Path model = Demo.extractDecoder(tmp.resolve("model"));
    float[] values = TestLatents.exactInHalf(C * H * W);
    float[] three = new float[3 * values.length];
    for (int i = 0; i < 3; i++) {
      System.arraycopy(values, 0, three, i * values.length, values.length);
    }
    Path in = tmp.resolve("in");
    TestLatents.write(in.resolve("single.npy"), NpyFile.float32(values, SHAPE));
    TestLatents.write(in.resolve("sub/batch.npy"), NpyFile.float32(three, 3, C, H, W));
    TestLatents.write(
        in.resolve("packed.npy"),
        NpyFile.float32(TestLatents.packFlux(values, C, H, W), H * W / 4, 4 * C));
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("a", new Tensor("F32", SHAPE, TestLatents.float32(values)));
    tensors.put("b", new Tensor("F16", new int[] {3, C, H, W}, TestLatents.float16(three)));
    tensors.put("c", new Tensor("BF16", SHAPE, TestLatents.bfloat16(values)));
    tensors.put("d", new Tensor("I64", SHAPE, new byte[C * H * W * 8]));
    TestLatents.write(in.resolve("pack.safetensors"), TestLatents.safetensors(tensors));
    ArrowLatents.write(
        in.resolve("table.arrow"),
        List.of(
            new ArrowLatents.Row("t1", TestLatents.float32(values), SHAPE, "a red fox"),
            new ArrowLatents.Row("t2", TestLatents.float32(values), SHAPE, "a blue bird")));
    Files.writeString(in.resolve("old.pt"), "PK not really a zip");
    Path out = tmp.resolve("images");

    CliRun.Result r =
        CliRun.decode(
            in.toString(),
            out.toString(),
            model.toString(),
            "--image-format",
            "raw",
            "--max-error-fraction",
            "1");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    ArrowOutput.Table images = ArrowOutput.images(out);
    assertThat(images.column("id"))
        .containsExactlyInAnyOrder(
            "single",
            "sub/batch/0",
            "sub/batch/1",
            "sub/batch/2",
            "packed",
            "pack/a",
            "pack/b/0",
            "pack/b/1",
            "pack/b/2",
            "pack/c",
            "t1",
            "t2");
    byte[] first = (byte[]) images.rows().get(0).get("image");
    Map<Object, Object> prompts = new HashMap<>();
    for (Map<String, Object> image : images.rows()) {
      assertThat((byte[]) image.get("image")).as("pixels of %s", image.get("id")).isEqualTo(first);
      prompts.put(image.get("id"), String.valueOf(image.get("prompt")));
    }
    assertThat(prompts)
        .containsEntry("t1", "a red fox")
        .containsEntry("t2", "a blue bird")
        .containsEntry("single", "null");

    Map<Object, Object> errors = new HashMap<>();
    ArrowOutput.errors(out)
        .rows()
        .forEach(e -> errors.put(e.get("id"), e.get("error_kind") + ": " + e.get("message")));
    assertThat(errors).containsOnlyKeys("pack/d", "old");
    assertThat(errors.get("pack/d").toString())
        .startsWith("unsupported_dtype")
        .contains("'I64'", "F32, F16 or BF16");
    assertThat(errors.get("old").toString())
        .startsWith("unsupported_file")
        .contains("pickle", "arbitrary code", "safetensors");
  }

  @Test
  void declaredPackedBatchesUnpackWithTheGivenGrid(@TempDir Path tmp) throws Exception {
    Path model = Demo.extractDecoder(tmp.resolve("model"));
    int h = 6;
    int w = 10;
    float[] values = TestLatents.exactInHalf(C * h * w);
    float[] packed = TestLatents.packFlux(values, C, h, w);
    float[] two = new float[2 * packed.length];
    System.arraycopy(packed, 0, two, 0, packed.length);
    System.arraycopy(packed, 0, two, packed.length, packed.length);
    Path plainIn = tmp.resolve("plain");
    TestLatents.write(plainIn.resolve("x.npy"), NpyFile.float32(values, C, h, w));
    Path packedIn = tmp.resolve("packed");
    TestLatents.write(packedIn.resolve("x.npy"), NpyFile.float32(two, 2, h * w / 4, 4 * C));

    CliRun.Result plain =
        CliRun.decode(
            plainIn.toString(),
            tmp.resolve("o1").toString(),
            model.toString(),
            "--image-format",
            "raw");
    CliRun.Result unpacked =
        CliRun.decode(
            packedIn.toString(),
            tmp.resolve("o2").toString(),
            model.toString(),
            "--image-format",
            "raw",
            "--packed-latents",
            h + "x" + w);
    CliRun.Result squareGuess =
        CliRun.decode(
            packedIn.toString(),
            tmp.resolve("o3").toString(),
            model.toString(),
            "--image-format",
            "raw",
            "--packed-latents",
            "--max-error-fraction",
            "1");

    assertThat(plain.exitCode()).as(plain.toString()).isZero();
    assertThat(unpacked.exitCode()).as(unpacked.toString()).isZero();
    byte[] expected = (byte[]) ArrowOutput.images(tmp.resolve("o1")).rows().get(0).get("image");
    ArrowOutput.Table images = ArrowOutput.images(tmp.resolve("o2"));
    assertThat(images.column("id")).containsExactlyInAnyOrder("x/0", "x/1");
    for (Map<String, Object> image : images.rows()) {
      assertThat(image.get("width")).isEqualTo(w * 8);
      assertThat(image.get("height")).isEqualTo(h * 8);
      assertThat((byte[]) image.get("image")).isEqualTo(expected);
    }
    assertThat(squareGuess.exitCode()).as(squareGuess.toString()).isZero();
    assertThat(ArrowOutput.errors(tmp.resolve("o3")).column("message"))
        .hasSize(2)
        .allSatisfy(m -> assertThat(m.toString()).contains("15 tokens, not a square grid"));
  }
}
