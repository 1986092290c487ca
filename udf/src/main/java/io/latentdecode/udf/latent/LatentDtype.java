package io.latentdecode.udf.latent;

import io.latentdecode.udf.contract.ErrorKind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.Locale;

/**
 * The element types a latent may be stored in; all are decoded in float32. Half-precision latents
 * are widened on the CPU while they are copied into the batch buffer (DJL 0.35's PyTorch engine
 * aborts the JVM when asked to create a float16 or bfloat16 tensor from a buffer).
 */
public enum LatentDtype {
  FLOAT32(4),
  FLOAT16(2),
  BFLOAT16(2);

  private final int bytesPerElement;

  LatentDtype(int bytesPerElement) {
    this.bytesPerElement = bytesPerElement;
  }

  public int bytesPerElement() {
    return bytesPerElement;
  }

  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Appends {@code data} (little-endian values of this type) to {@code target} as float32. */
  public void putAsFloat32(byte[] data, FloatBuffer target) {
    putAsFloat32(ByteBuffer.wrap(data), target);
  }

  /** Appends {@code data}'s remaining bytes (little-endian values) to {@code target} as float32. */
  public void putAsFloat32(ByteBuffer data, FloatBuffer target) {
    ByteBuffer source = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    switch (this) {
      case FLOAT32 -> target.put(source.asFloatBuffer());
      case FLOAT16 -> {
        ShortBuffer halves = source.asShortBuffer();
        while (halves.hasRemaining()) {
          target.put(halfToFloat(halves.get()));
        }
      }
      case BFLOAT16 -> {
        ShortBuffer halves = source.asShortBuffer();
        while (halves.hasRemaining()) {
          target.put(Float.intBitsToFloat((halves.get() & 0xffff) << 16));
        }
      }
    }
  }

  /** IEEE 754 binary16 to float, including subnormals, infinities and NaN. */
  static float halfToFloat(short half) {
    int h = half & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1f;
    int mantissa = h & 0x3ff;
    if (exponent == 0) {
      float v = mantissa * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    if (exponent == 31) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }

  /** Parses the Parquet contract's {@code dtype} column; null means the default, float32. */
  public static LatentDtype parse(String text) throws LatentException {
    if (text == null) {
      return FLOAT32;
    }
    for (LatentDtype d : values()) {
      if (d.text().equals(text.trim().toLowerCase(Locale.ROOT))) {
        return d;
      }
    }
    throw new LatentException(
        ErrorKind.UNSUPPORTED_DTYPE,
        "unsupported dtype '" + text + "': expected float32, float16 or bfloat16");
  }
}
