package io.latentdecode.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.latentdecode.job.demo.Demo;
import io.latentdecode.job.demo.LargePicture;
import io.latentdecode.job.testing.ArrowOutput;
import io.latentdecode.job.testing.CliRun;
import io.latentdecode.job.testing.RunReports;
import io.latentdecode.job.testing.SparkJobTest;
import io.latentdecode.job.testing.TestLatents;
import io.latentdecode.udf.latent.NpyFile;
import io.latentdecode.udf.model.LoadedDecoder;
import io.latentdecode.udf.model.ProcessMemory;
import io.latentdecode.udf.testing.ReferenceDecodes;
import io.latentdecode.udf.testing.SharedData;
import io.latentdecode.udf.testing.TestDecoders;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tiled decoding of a real large latent: a 1536x1024 picture encoded with the TAEF2 encoder into a
 * [32, 128, 192] latent, decoded whole and in 96x96 tiles with 32 pixels overlap. The tiled image
 * must match the whole one closely, and the bands where tiles meet must match it as closely as the
 * rest (no seam). TAEF2's blocks normalise with GroupNorm over the whole image, so a tile sees
 * other statistics than the whole latent and no tiling reproduces it exactly: measured 28.4 dB for
 * 64/16 tiles, 31.7 dB for 96/32, more for larger tiles (TILE and OVERLAP environment variables
 * override the layout for such measurements).
 */
class TiledDecodeTest extends SparkJobTest {
  private static final int TILE = Integer.parseInt(System.getenv().getOrDefault("TILE", "96"));
  private static final int OVERLAP =
      Integer.parseInt(System.getenv().getOrDefault("OVERLAP", "32"));
  private static final int SCALE = 8;

  @Test
  void tiledMatchesWholeWithNoSeam(@TempDir Path tmp) throws Exception {
    Path decoder = SharedData.taef2Decoder();
    Path in = tmp.resolve("in");
    TestLatents.write(in.resolve("big.npy"), encode(LargePicture.draw()));

    ProcessMemory.resetPeak();
    long before = ProcessMemory.residentBytes();
    CliRun.Result whole =
        CliRun.decode(
            in.toString(),
            tmp.resolve("whole").toString(),
            decoder.toString(),
            "--preset",
            "taef2",
            "--image-format",
            "raw");
    long wholePeak = ProcessMemory.peakResidentBytes() - before;
    ProcessMemory.resetPeak();
    before = ProcessMemory.residentBytes();
    CliRun.Result tiled =
        CliRun.decode(
            in.toString(),
            tmp.resolve("tiled").toString(),
            decoder.toString(),
            "--preset",
            "taef2",
            "--image-format",
            "raw",
            "--tile-size",
            Integer.toString(TILE),
            "--tile-overlap",
            Integer.toString(OVERLAP));

    long tiledPeak = ProcessMemory.peakResidentBytes() - before;
    assertThat(whole.exitCode()).as(whole.toString()).isZero();
    assertThat(tiled.exitCode()).as(tiled.toString()).isZero();
    System.out.printf(
        "TiledDecodeTest: whole %.1f s forward, peak RSS +%d MB; tiled %.1f s forward, peak RSS +%d"
            + " MB%n",
        forwardSeconds(tmp.resolve("whole")),
        wholePeak >> 20,
        forwardSeconds(tmp.resolve("tiled")),
        tiledPeak >> 20);
    byte[] a = (byte[]) ArrowOutput.images(tmp.resolve("whole")).rows().get(0).get("image");
    byte[] b = (byte[]) ArrowOutput.images(tmp.resolve("tiled")).rows().get(0).get("image");
    assertThat(b).hasSize(LargePicture.WIDTH * LargePicture.HEIGHT * 3).hasSameSizeAs(a);
    double psnr = ReferenceDecodes.psnr(a, 0, b, a.length);
    double seamPsnr = seamBandPsnr(a, b);
    System.out.printf(
        "TiledDecodeTest: tiled (%d/%d) vs whole PSNR %.2f dB overall, %.2f dB where tiles meet%n",
        TILE, OVERLAP, psnr, seamPsnr);
    assertThat(psnr).as("PSNR tiled vs whole").isGreaterThan(30);
    assertThat(seamPsnr).as("PSNR where tiles meet vs overall").isGreaterThan(psnr - 0.5);
    assertThat(RunReports.only(tmp.resolve("tiled")).at("/counts/tiled_images").asLong())
        .isEqualTo(1);
    assertThat(RunReports.only(tmp.resolve("whole")).at("/counts/tiled_images").asLong()).isZero();
  }

  @Test
  void autoTilesAndAutoBatchesShareOneMemoryProbeOnTheDevicesWorkers(@TempDir Path tmp)
      throws Exception {
    // Two workers size tiles while the batch size search asks for its memory bound: the probe runs
    // with the device to itself once, and nobody waits for it while holding a turn on the device.
    Path model = Demo.extractDecoder(tmp.resolve("model"));
    TestLatents.randomNpys(tmp.resolve("in"), "z", 24, 4, 16, 16);

    CliRun.Result r =
        CliRun.decode(
            tmp.resolve("in").toString(),
            tmp.resolve("out").toString(),
            model.toString(),
            "--image-format",
            "raw",
            "--tile-size",
            "auto",
            "--decodes-per-device",
            "2",
            "--partitions",
            "2");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(ArrowOutput.images(tmp.resolve("out")).column("id"))
        .hasSize(24)
        .doesNotHaveDuplicates();
  }

  @Test
  void autoPicksATileFromTheMemoryBudgetAndTilesLatentsLargerThanIt(@TempDir Path tmp)
      throws Exception {
    Path model = Demo.extractDecoder(tmp.resolve("model"));
    // The preview decoder needs little memory per pixel: auto picks the largest tile (512), so a
    // 600-pixel-tall latent is tiled and a small one is not.
    TestLatents.randomNpy(tmp.resolve("in/tall.npy"), 1, 4, 600, 16);
    TestLatents.randomNpy(tmp.resolve("in/small.npy"), 2, 4, 16, 16);

    CliRun.Result auto =
        CliRun.decode(
            tmp.resolve("in").toString(),
            tmp.resolve("auto").toString(),
            model.toString(),
            "--image-format",
            "raw",
            "--tile-size",
            "auto");
    CliRun.Result whole =
        CliRun.decode(
            tmp.resolve("in").toString(),
            tmp.resolve("whole").toString(),
            model.toString(),
            "--image-format",
            "raw");

    assertThat(auto.exitCode()).as(auto.toString()).isZero();
    assertThat(whole.exitCode()).as(whole.toString()).isZero();
    assertThat(RunReports.only(tmp.resolve("auto")).at("/counts/tiled_images").asLong())
        .isEqualTo(1);
    Map<Object, byte[]> expected = ArrowOutput.imagesById(tmp.resolve("whole"));
    for (Map<String, Object> r : ArrowOutput.images(tmp.resolve("auto")).rows()) {
      byte[] a = (byte[]) r.get("image");
      byte[] b = expected.get(r.get("id"));
      assertThat(ReferenceDecodes.psnr(a, 0, b, b.length))
          .as("auto-tiled vs whole, %s", r.get("id"))
          .isGreaterThan(40);
    }
  }

  private static double forwardSeconds(Path output) throws Exception {
    return RunReports.only(output).at("/task_seconds_by_stage/forward").asDouble();
  }

  /** The TAEF2 encoder's latent of the picture, as a .npy file. */
  private static byte[] encode(BufferedImage picture) throws Exception {
    int h = picture.getHeight();
    int w = picture.getWidth();
    float[] chw = new float[3 * h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int rgb = picture.getRGB(x, y);
        chw[y * w + x] = ((rgb >> 16) & 0xff) / 255f;
        chw[h * w + y * w + x] = ((rgb >> 8) & 0xff) / 255f;
        chw[2 * h * w + y * w + x] = (rgb & 0xff) / 255f;
      }
    }
    try (LoadedDecoder encoder =
            TestDecoders.onCpu(SharedData.require("models/taef2/encoder.ts.pt"));
        Predictor<NDList, NDList> predictor = encoder.newPredictor();
        NDManager scope = encoder.newBatchManager()) {
      NDArray latent =
          predictor.predict(new NDList(scope.create(chw, new Shape(1, 3, h, w)))).get(0);
      assertThat(latent.getShape()).isEqualTo(new Shape(1, 32, h / SCALE, w / SCALE));
      return NpyFile.float32(latent.toFloatArray(), 32, h / SCALE, w / SCALE);
    }
  }

  /** PSNR over the pixel bands where neighbouring tiles overlap, across both axes. */
  private static double seamBandPsnr(byte[] a, byte[] b) {
    int w = LargePicture.WIDTH;
    int h = LargePicture.HEIGHT;
    boolean[] bandX = bands(w / SCALE);
    boolean[] bandY = bands(h / SCALE);
    double sum = 0;
    long n = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (bandX[x / SCALE] || bandY[y / SCALE]) {
          for (int c = 0; c < 3; c++) {
            int i = (y * w + x) * 3 + c;
            double d = (a[i] & 0xff) - (b[i] & 0xff);
            sum += d * d;
            n++;
          }
        }
      }
    }
    return 10 * Math.log10(255.0 * 255.0 / Math.max(sum / n, 1e-12));
  }

  /** Latent positions covered by two tiles, for the run's tile layout. */
  private static boolean[] bands(int length) {
    int[] cover = new int[length];
    int stride = TILE - OVERLAP;
    int p = 0;
    while (true) {
      int start = Math.min(p, length - TILE);
      for (int i = start; i < start + TILE; i++) {
        cover[i]++;
      }
      if (start + TILE >= length) {
        break;
      }
      p += stride;
    }
    boolean[] band = new boolean[length];
    for (int i = 0; i < length; i++) {
      band[i] = cover[i] > 1;
    }
    return band;
  }
}
