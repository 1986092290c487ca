package io.latentdecode.job.testing;

import io.latentdecode.udf.latent.NpyFile;
import io.latentdecode.udf.testing.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/** Latent files for tests: the shared TAEF2 references, and broken ones made on purpose. */
public final class TestLatents {
  private TestLatents() {}

  /** Copies {@code ../shared/reference/taef2/NAME.latent.npy} to {@code dir/NAME.npy}. */
  public static Path reference(Path dir, String name) throws IOException {
    Path source = SharedData.taef2Reference().resolve(name + ".latent.npy");
    Files.createDirectories(dir);
    return Files.copy(source, dir.resolve(name + ".npy"));
  }

  public static float[] random(long seed, int length) {
    Random random = new Random(seed);
    float[] values = new float[length];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }

  /** {@code dir/<prefix><i>.npy} for i below count: float32 latents of the shape, random values. */
  public static void randomNpys(Path dir, String prefix, int count, int... shape)
      throws IOException {
    for (int i = 0; i < count; i++) {
      randomNpy(dir.resolve(prefix + i + ".npy"), i, shape);
    }
  }

  /** One float32 latent of the shape with random values, as a .npy file. */
  public static Path randomNpy(Path file, long seed, int... shape) throws IOException {
    return write(file, NpyFile.float32(random(seed, shape[0] * shape[1] * shape[2]), shape));
  }

  public static Path write(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.write(file, bytes);
  }

  /** A float32 latent of this shape with one value replaced. */
  public static byte[] withValue(int[] shape, int index, float value) {
    float[] values = random(7, shape[0] * shape[1] * shape[2]);
    values[index] = value;
    return NpyFile.float32(values, shape);
  }

  /** A valid .npy cut short: its data ends before the shape says. */
  public static byte[] truncated(int[] shape) {
    byte[] whole = NpyFile.float32(random(3, shape[0] * shape[1] * shape[2]), shape);
    return Arrays.copyOf(whole, whole.length - 100);
  }

  /** A well-formed int64 .npy: not a float latent. */
  public static byte[] int64(int[] shape) {
    byte[] file = NpyFile.float32(new float[2 * shape[0] * shape[1] * shape[2]], shape);
    String text = new String(file, StandardCharsets.ISO_8859_1).replace("'<f4'", "'<i8'");
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }
}
