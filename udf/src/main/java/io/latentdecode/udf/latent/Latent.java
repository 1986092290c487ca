package io.latentdecode.udf.latent;

import static java.util.Objects.requireNonNull;

import io.latentdecode.udf.contract.ErrorKind;
import java.util.Arrays;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * One validated latent: {@code [C, h, w]} little-endian C-order bytes whose length matches shape
 * and dtype.
 *
 * @param id the row's id
 * @param shape {@code [C, h, w]}, all positive
 * @param dtype element type of {@code data}
 * @param data the tensor bytes
 * @param carried the row's carried-through columns (an empty row when there are none)
 */
public record Latent(String id, int[] shape, LatentDtype dtype, byte[] data, InternalRow carried) {
  private static final int MAX_DIMENSION = 1 << 16;

  public Latent {
    requireNonNull(id, "id is null");
    requireNonNull(shape, "shape is null");
    requireNonNull(dtype, "dtype is null");
    requireNonNull(data, "data is null");
    requireNonNull(carried, "carried is null");
  }

  /** Builds a latent, or says exactly why these bytes cannot be one. */
  public static Latent of(
      String id, int[] shape, LatentDtype dtype, byte[] data, InternalRow carried)
      throws LatentException {
    if (shape.length != 3) {
      throw new LatentException(
          ErrorKind.INVALID_LATENT,
          "expected a [C, h, w] latent, got shape "
              + Arrays.toString(shape)
              + " ("
              + shape.length
              + " dimensions)");
    }
    long elements = 1;
    for (int d : shape) {
      if (d <= 0 || d > MAX_DIMENSION) {
        throw new LatentException(
            ErrorKind.INVALID_LATENT,
            "invalid shape "
                + Arrays.toString(shape)
                + ": every dimension must be between 1 and "
                + MAX_DIMENSION);
      }
      elements *= d;
    }
    long expected = elements * dtype.bytesPerElement();
    if (data.length != expected) {
      throw new LatentException(
          ErrorKind.INVALID_LATENT,
          "latent holds "
              + data.length
              + " bytes but shape "
              + Arrays.toString(shape)
              + " of "
              + dtype.text()
              + " needs "
              + expected);
    }
    return new Latent(id, shape.clone(), dtype, data, carried);
  }

  public int channels() {
    return shape[0];
  }

  public int height() {
    return shape[1];
  }

  public int width() {
    return shape[2];
  }
}
