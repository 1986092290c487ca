package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.job.testing.ArrowOutput;
import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.PythonTorch;
import io.latentdecode.job.testing.RunReports;
import io.latentdecode.job.testing.SparkJobTest;
import io.latentdecode.job.testing.TestLatents;
import io.latentdecode.udf.latent.NpyFile;
import io.latentdecode.udf.testing.ReferenceDecodes;
import io.latentdecode.udf.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The export tool on a plain PyTorch module (no diffusers), and half precision with its fallback:
 * the exported decoder overflows in fp16 for latents with values above 1, and exactly those images
 * are decoded again in fp32.
 */
class ExportAndPrecisionTest extends SparkJobTest {
  private static final int[] SHAPE = {4, 4, 6};

  @Test
  void exportedDecoderRunsAndHalfPrecisionOverflowsFallBackToFp32(@TempDir Path tmp)
      throws Exception {
    PythonTorch.require();
    Path models = tmp.resolve("models");
    PythonTorch.Result export =
        PythonTorch.exportDecoder(
            "--module",
            "overflow_decoder:make_decoder",
            "--module-path",
            Path.of("src/test/python").toAbsolutePath().toString(),
            "--out",
            models.toString(),
            "--name",
            "overflow",
            "--channels",
            "4",
            "--precisions",
            "fp32,fp16",
            "--output-range=-1,1");
    assertThat(export.exitCode()).as(export.output()).isZero();
    assertThat(export.output()).contains("traced vs eager: max abs difference 0");
    assertThat(models.resolve("overflow.ts.pt")).exists();
    assertThat(models.resolve("overflow.fp16.ts.pt")).exists();
    assertThat(Files.readString(models.resolve("overflow.json")))
        .contains("\"latent_channels\": 4", "\"output_range\": \"-1,1\"");

    Path in = tmp.resolve("in");
    int n = SHAPE[0] * SHAPE[1] * SHAPE[2];
    for (int i = 0; i < 3; i++) {
      float[] small = TestLatents.exactInHalf(n);
      for (int j = 0; j < n; j++) {
        small[j] *= 0.5f; // within +-0.75: no overflow in fp16
      }
      TestLatents.write(in.resolve("small" + i + ".npy"), NpyFile.float32(small, SHAPE));
    }
    float[] large = TestLatents.exactInHalf(n);
    large[5] = 2.0f; // 2 * 65536 overflows fp16
    TestLatents.write(in.resolve("large.npy"), NpyFile.float32(large, SHAPE));
    String model = models.resolve("overflow.ts.pt").toString();
    String preset = models.resolve("overflow.json").toString();

    CliRun.Result fp32 =
        CliRun.decode(
            in.toString(),
            tmp.resolve("fp32").toString(),
            model,
            "--preset",
            preset,
            "--image-format",
            "raw");
    CliRun.Result fp16 =
        CliRun.decode(
            in.toString(),
            tmp.resolve("fp16").toString(),
            model,
            "--preset",
            preset,
            "--image-format",
            "raw",
            "--precision",
            "fp16");
    CliRun.Result bf16 =
        CliRun.decode(in.toString(), tmp.resolve("bf16").toString(), model, "--precision", "bf16");

    assertThat(fp32.exitCode()).as(fp32.toString()).isZero();
    assertThat(fp16.exitCode()).as(fp16.toString()).isZero();
    assertThat(fp16.out()).contains("1 images overflowed in fp16 and were decoded again in fp32");
    assertThat(RunReports.only(tmp.resolve("fp16")).at("/counts/fp32_redecoded").asLong())
        .isEqualTo(1);
    assertThat(RunReports.only(tmp.resolve("fp16")).at("/settings/precision").asText())
        .isEqualTo("fp16");
    assertThat(RunReports.only(tmp.resolve("fp32")).at("/counts/fp32_redecoded").asLong()).isZero();
    Map<Object, byte[]> expected = ArrowOutput.imagesById(tmp.resolve("fp32"));
    ArrowOutput.Table half = ArrowOutput.images(tmp.resolve("fp16"));
    assertThat(half.column("id")).containsExactlyInAnyOrder("small0", "small1", "small2", "large");
    for (Map<String, Object> r : half.rows()) {
      assertThat((byte[]) r.get("image"))
          .as("pixels of %s", r.get("id"))
          .isEqualTo(expected.get(r.get("id")));
    }
    assertThat(bf16.exitCode()).as(bf16.toString()).isEqualTo(2);
    assertThat(bf16.err()).contains("--precision bf16", "overflow.bf16.ts.pt", "export_decoder.py");
  }

  @Test
  void aRealDecoderExportedInBfloat16DecodesTheReferenceLatents(@TempDir Path tmp)
      throws Exception {
    PythonTorch.require();
    Path models = tmp.resolve("models");
    PythonTorch.Result export =
        PythonTorch.exportDecoder(
            "--torchscript",
            SharedData.taef2Decoder().toString(),
            "--channels",
            "32",
            "--output-range=0,1",
            "--precisions",
            "fp32,bf16",
            "--out",
            models.toString(),
            "--name",
            "taef2");
    assertThat(export.exitCode()).as(export.output()).isZero();
    Path in = tmp.resolve("in");
    for (String name : ReferenceDecodes.NAMES) {
      TestLatents.reference(in, name);
    }

    CliRun.Result r =
        CliRun.decode(
            in.toString(),
            tmp.resolve("out").toString(),
            models.resolve("taef2.ts.pt").toString(),
            "--preset",
            models.resolve("taef2.json").toString(),
            "--precision",
            "bf16",
            "--image-format",
            "raw",
            // no memory probe: on CPUs without bfloat16 instructions libtorch's bf16 convolutions
            // are reference loops, and the probe's 512x512 decodes would take minutes
            "--batch-size",
            "3");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    ArrowOutput.Table images = ArrowOutput.images(tmp.resolve("out"));
    assertThat(images.column("id")).containsExactlyInAnyOrderElementsOf(ReferenceDecodes.NAMES);
    for (Map<String, Object> image : images.rows()) {
      int h = (Integer) image.get("height");
      int w = (Integer) image.get("width");
      byte[] expected = ReferenceDecodes.expectedPixelsHwc((String) image.get("id"), h, w);
      double psnr =
          ReferenceDecodes.psnr((byte[]) image.get("image"), 0, expected, expected.length);
      System.out.printf(
          "ExportAndPrecisionTest: %s in bf16 vs fp32 reference: %.2f dB%n", image.get("id"), psnr);
      // 48-54 dB where the CPU has no bfloat16 instructions (libtorch widens to float32 between
      // ops); 27.8-30.7 dB on an AMD EPYC with AVX512-BF16, whose native bf16 kernels round more;
      // a decode of the wrong latent or noise reads about 10 dB
      assertThat(psnr).as("bf16 PSNR of %s", image.get("id")).isGreaterThan(25);
    }
    assertThat(RunReports.only(tmp.resolve("out")).at("/counts/fp32_redecoded").asLong()).isZero();
    assertThat(RunReports.only(tmp.resolve("out")).at("/executors/0/precision").asText())
        .isEqualTo("bf16");

    // The default, auto, finds the bf16 export but stays in fp32 on the CPU.
    CliRun.Result auto =
        CliRun.decode(
            in.toString(),
            tmp.resolve("auto").toString(),
            models.resolve("taef2.ts.pt").toString(),
            "--preset",
            models.resolve("taef2.json").toString());
    assertThat(auto.exitCode()).as(auto.toString()).isZero();
    assertThat(RunReports.only(tmp.resolve("auto")).at("/settings/precision").asText())
        .isEqualTo("auto");
    assertThat(RunReports.only(tmp.resolve("auto")).at("/executors/0/precision").asText())
        .isEqualTo("fp32");
  }
}
