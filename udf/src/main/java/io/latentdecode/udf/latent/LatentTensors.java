package io.latentdecode.udf.latent;

import io.latentdecode.udf.contract.ErrorKind;
import io.latentdecode.udf.contract.LatentPacking;
import java.io.IOException;
import java.util.Arrays;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * Turns one stored tensor into the latents it holds: {@code [C, h, w]} is one latent; in files,
 * {@code [N, C, h, w]} is N latents with ids suffixed {@code /0}, {@code /1}, ...; FLUX-packed
 * {@code [h*w/4, 4*C]} (and {@code [N, h*w/4, 4*C]} when declared packed) is unpacked to {@code [C,
 * h, w]}.
 */
public final class LatentTensors {
  private LatentTensors() {}

  /**
   * @param batched whether a leading batch dimension is allowed (files), or the tensor is one
   *     latent (rows)
   */
  public static void split(
      String id,
      RawTensor tensor,
      InternalRow carried,
      LatentPacking packing,
      boolean batched,
      LatentSink sink)
      throws IOException {
    int[] shape = tensor.shape();
    try {
      checkLength(tensor);
    } catch (LatentException e) {
      sink.reject(id, carried, e);
      return;
    }
    boolean packedBatch = batched && shape.length == 3 && packing.declared();
    if (batched && (shape.length == 4 || packedBatch)) {
      int n = shape[0];
      int[] one = Arrays.copyOfRange(shape, 1, shape.length);
      int bytes = n == 0 ? 0 : tensor.length() / n;
      for (int i = 0; i < n; i++) {
        RawTensor item =
            new RawTensor(one, tensor.dtype(), tensor.data(), tensor.offset() + i * bytes, bytes);
        single(id + "/" + i, item, carried, packing, sink);
      }
      if (n == 0) {
        sink.reject(
            id, carried, invalid("the tensor " + Arrays.toString(shape) + " holds no latents"));
      }
      return;
    }
    single(id, tensor, carried, packing, sink);
  }

  private static void single(
      String id, RawTensor tensor, InternalRow carried, LatentPacking packing, LatentSink sink)
      throws IOException {
    try {
      int[] shape = tensor.shape();
      if (shape.length == 2) {
        sink.accept(unpack(id, tensor, carried, packing));
        return;
      }
      if (shape.length != 3) {
        throw invalid(
            "expected a [C, h, w] latent, a batch [N, C, h, w] (files only) or a FLUX-packed"
                + " [h*w/4, 4*C] latent, got shape "
                + Arrays.toString(shape));
      }
      sink.accept(
          Latent.of(
              id,
              shape,
              tensor.dtype(),
              Arrays.copyOfRange(tensor.data(), tensor.offset(), tensor.offset() + tensor.length()),
              carried));
    } catch (LatentException e) {
      sink.reject(id, carried, e);
    }
  }

  /**
   * {@code [h*w/4, 4*C]} in 2x2 patches (diffusers' {@code _pack_latents}) to {@code [C, h, w]}.
   */
  static Latent unpack(String id, RawTensor tensor, InternalRow carried, LatentPacking packing)
      throws LatentException {
    int tokens = tensor.shape()[0];
    int features = tensor.shape()[1];
    if (tokens <= 0 || features <= 0 || features % 4 != 0) {
      throw invalid(
          "a 2-D latent is read as FLUX-packed [h*w/4, 4*C], but "
              + Arrays.toString(tensor.shape())
              + " has "
              + features
              + " features, not a positive multiple of 4");
    }
    int h;
    int w;
    if (packing.height() > 0) {
      h = packing.height();
      w = packing.width();
      if ((long) h * w / 4 != tokens) {
        throw invalid(
            "packed latent has "
                + tokens
                + " tokens but --packed-latents "
                + h
                + "x"
                + w
                + " needs "
                + (long) h * w / 4);
      }
    } else {
      int side = (int) Math.round(Math.sqrt(tokens));
      if ((long) side * side != tokens) {
        throw invalid(
            "packed latent has "
                + tokens
                + " tokens, not a square grid; pass --packed-latents HxW with the unpacked latent"
                + " size (image size / 8)");
      }
      h = 2 * side;
      w = 2 * side;
    }
    int channels = features / 4;
    int elem = tensor.dtype().bytesPerElement();
    byte[] src = tensor.data();
    int base = tensor.offset();
    byte[] out = new byte[tensor.length()];
    int halfW = w / 2;
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int token = (y / 2) * halfW + x / 2;
          int feature = c * 4 + (y % 2) * 2 + (x % 2);
          System.arraycopy(
              src,
              base + (token * features + feature) * elem,
              out,
              ((c * h + y) * w + x) * elem,
              elem);
        }
      }
    }
    return Latent.of(id, new int[] {channels, h, w}, tensor.dtype(), out, carried);
  }

  private static void checkLength(RawTensor tensor) throws LatentException {
    long elements = 1;
    for (int d : tensor.shape()) {
      if (d < 0) {
        throw invalid("invalid shape " + Arrays.toString(tensor.shape()) + ": negative dimension");
      }
      elements *= d;
    }
    long expected = elements * tensor.dtype().bytesPerElement();
    if (expected != tensor.length()) {
      throw invalid(
          "tensor holds "
              + tensor.length()
              + " bytes but shape "
              + Arrays.toString(tensor.shape())
              + " of "
              + tensor.dtype().text()
              + " needs "
              + expected);
    }
  }

  private static LatentException invalid(String message) {
    return new LatentException(ErrorKind.INVALID_LATENT, message);
  }
}
