package io.latentdecode.udf.testing;

import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.contract.DeviceRequest;
import io.latentdecode.udf.contract.ImageFormat;
import io.latentdecode.udf.contract.LatentConvention;
import io.latentdecode.udf.contract.OutputRange;
import io.latentdecode.udf.latent.Latent;
import io.latentdecode.udf.latent.LatentException;
import io.latentdecode.udf.latent.NpyFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;

/** The TAEF2 reference latents in ../shared and what PyTorch decoded them to. */
public final class ReferenceDecodes {
  public static final List<String> NAMES = List.of("brick", "grass", "gravel");

  /** TAEF2's settings (latents as they are, images in [0, 1]), raw pixels, batches of 4, CPU. */
  public static final DecodeSettings SETTINGS =
      DecodeSettings.of(
          LatentConvention.plain(1.0, 0.0, OutputRange.ZERO_TO_ONE),
          ImageFormat.RAW,
          4,
          DeviceRequest.CPU);

  private ReferenceDecodes() {}

  public static Latent latent(String name) throws IOException, LatentException {
    Path file = SharedData.taef2Reference().resolve(name + ".latent.npy");
    return NpyFile.toLatent(name, Files.readAllBytes(file), new GenericInternalRow(0));
  }

  /**
   * The reference float32 output turned to 8-bit exactly as the contract says: clamp, x255, round.
   */
  public static byte[] expectedPixelsHwc(String name, int height, int width) throws IOException {
    Path file = SharedData.taef2Reference().resolve(name + ".decoded.f32");
    FloatBuffer chw =
        ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    byte[] hwc = new byte[height * width * 3];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          float v = Math.max(0f, Math.min(1f, chw.get((c * height + y) * width + x)));
          hwc[(y * width + x) * 3 + c] = (byte) Math.rint(v * 255f);
        }
      }
    }
    return hwc;
  }

  /** Peak signal-to-noise ratio of two 8-bit images, in dB (infinite when equal). */
  public static double psnr(byte[] a, int offsetA, byte[] b, int length) {
    double sum = 0;
    for (int i = 0; i < length; i++) {
      double d = (a[offsetA + i] & 0xff) - (b[i] & 0xff);
      sum += d * d;
    }
    double mse = sum / length;
    return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
  }
}
