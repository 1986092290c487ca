package io.latentdecode.job.testing;

import io.latentdecode.udf.latent.NpyFile;
import io.latentdecode.udf.testing.SharedData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

/** Latent files for tests: the shared TAEF2 references, and broken ones made on purpose. */
public final class TestLatents {
  private TestLatents() {}

  /** Copies {@code ../shared/reference/taef2/NAME.latent.npy} to {@code dir/NAME.npy}. */
  /**
   * The shared TAEF2 reference latents {@code textures/brick}, {@code grass} and {@code gravel} and
   * one file that is not a latent, {@code textures/broken}: three images and one quarantined row.
   */
  public static void texturesAndOneBroken(Path dir) throws IOException {
    for (String name : java.util.List.of("brick", "grass", "gravel")) {
      reference(dir.resolve("textures"), name);
    }
    write(dir.resolve("textures/broken.npy"), new byte[] {1, 2, 3});
  }

  /**
   * Decodes {@link #texturesAndOneBroken} into {@code tmp/out} with TAEF2 through the command line
   * (three images, one quarantined row) and returns the output.
   */
  public static Path decodedTextures(Path tmp, String imageFormat) throws IOException {
    Path in = tmp.resolve("in");
    texturesAndOneBroken(in);
    Path out = tmp.resolve("out");
    CliRun.Result r =
        CliRun.decode(
            in.toString(),
            out.toString(),
            SharedData.taef2Decoder().toString(),
            "--preset",
            "taef2",
            "--image-format",
            imageFormat,
            "--max-error-fraction",
            "0.5");
    org.assertj.core.api.Assertions.assertThat(r.exitCode()).as(r.toString()).isZero();
    return out;
  }

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

  /** Little-endian float32 bytes. */
  public static byte[] float32(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return b.array();
  }

  /** Little-endian bfloat16 bytes (truncated float32). */
  public static byte[] bfloat16(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putShort((short) (Float.floatToIntBits(v) >>> 16));
    }
    return b.array();
  }

  /** IEEE half precision of normal numbers and zero (enough for exact test values). */
  public static byte[] float16(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      int bits = Float.floatToIntBits(v);
      int sign = (bits >>> 16) & 0x8000;
      if (v == 0) {
        b.putShort((short) sign);
        continue;
      }
      int exponent = ((bits >>> 23) & 0xff) - 127 + 15;
      int mantissa = (bits >>> 13) & 0x3ff;
      b.putShort((short) (sign | (exponent << 10) | mantissa));
    }
    return b.array();
  }

  /** Values exact in float16 and bfloat16: multiples of 0.25 between -1.5 and 1.5. */
  public static float[] exactInHalf(int length) {
    float[] values = new float[length];
    for (int i = 0; i < values.length; i++) {
      values[i] = ((i % 13) - 6) * 0.25f;
    }
    return values;
  }

  /** One tensor for {@link #safetensors}: safetensors dtype name, shape and bytes. */
  public record Tensor(String dtype, int[] shape, byte[] bytes) {}

  /** A safetensors file: JSON header (dtype, shape, data_offsets per tensor), then the bytes. */
  public static byte[] safetensors(Map<String, Tensor> tensors) {
    StringBuilder header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      Tensor t = e.getValue();
      header
          .append(",\"")
          .append(e.getKey())
          .append("\":{\"dtype\":\"")
          .append(t.dtype())
          .append("\",\"shape\":")
          .append(Arrays.toString(t.shape()).replace(" ", ""))
          .append(",\"data_offsets\":[")
          .append(offset)
          .append(",")
          .append(offset + t.bytes().length)
          .append("]}");
      offset += t.bytes().length;
    }
    header.append("}");
    byte[] head = header.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer out =
        ByteBuffer.allocate((int) (8 + head.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(head.length).put(head);
    tensors.values().forEach(t -> out.put(t.bytes()));
    return out.array();
  }

  /**
   * Packs {@code [C, h, w]} float32 values the way diffusers' {@code _pack_latents} does: {@code
   * view(C, h/2, 2, w/2, 2).permute(1, 3, 0, 2, 4).reshape(h*w/4, 4*C)}.
   */
  public static float[] packFlux(float[] latent, int c, int h, int w) {
    float[] packed = new float[latent.length];
    int i = 0;
    for (int y2 = 0; y2 < h / 2; y2++) {
      for (int x2 = 0; x2 < w / 2; x2++) {
        for (int ch = 0; ch < c; ch++) {
          for (int dy = 0; dy < 2; dy++) {
            for (int dx = 0; dx < 2; dx++) {
              packed[i++] = latent[(ch * h + 2 * y2 + dy) * w + 2 * x2 + dx];
            }
          }
        }
      }
    }
    return packed;
  }
}
