package io.latentdecode.udf.decode;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.TranslateException;
import io.latentdecode.udf.contract.Causes;
import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.contract.ErrorKind;
import io.latentdecode.udf.contract.LatentConvention;
import io.latentdecode.udf.contract.OutputRange;
import io.latentdecode.udf.contract.Tiling;
import io.latentdecode.udf.latent.Latent;
import io.latentdecode.udf.latent.LatentDtype;
import io.latentdecode.udf.latent.LatentException;
import io.latentdecode.udf.model.DeviceShare;
import io.latentdecode.udf.model.LoadedDecoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Decodes one micro-batch of equal-shape latents into 8-bit RGB pixels. All tensor work happens on
 * the decoder's device in a per-batch {@link NDManager} scope: the latent bytes go in as one
 * float32 tensor, NaN/Inf rows are set aside, {@code z = latent * std / scaling + mean + shift},
 * the forward runs under inference mode in the run's precision (tile by tile for latents larger
 * than the tile), images that came out non-finite in half precision are decoded again in float32,
 * and the postprocessing (range to [0, 1], clamp, x255, round, uint8, HWC) is done in float32 and
 * out of place, because forward outputs are inference tensors that refuse in-place updates. Only
 * the 8-bit pixels come back.
 */
public final class BatchDecoder implements AutoCloseable {
  private final LoadedDecoder decoder;
  private final Predictor<NDList, NDList> predictor;
  private final Supplier<Predictor<NDList, NDList>> fp32Fallback;
  private final DecodeSettings settings;
  private final TileSizes tileSizes;
  private final DeviceShare share;
  private Predictor<NDList, NDList> fp32Predictor;

  /**
   * The task's staging buffer for latent bytes, reused across batches (grown when a batch needs
   * more).
   */
  private ByteBuffer staging;

  /**
   * @param decoder the decoder in the run's precision
   * @param predictor a predictor of {@code decoder}
   * @param fp32Fallback opens a predictor of the float32 decoder, on first need (half precision)
   * @param share the task's share of the device: its memory budget sizes tiles
   */
  public BatchDecoder(
      LoadedDecoder decoder,
      Predictor<NDList, NDList> predictor,
      Supplier<Predictor<NDList, NDList>> fp32Fallback,
      DecodeSettings settings,
      DeviceShare share) {
    this.decoder = decoder;
    this.predictor = predictor;
    this.fp32Fallback = fp32Fallback;
    this.settings = settings;
    this.tileSizes = new TileSizes(decoder, settings, share);
    this.share = share;
  }

  /** A float32 decoder used by one caller alone: no fallback, no one to share the device with. */
  public BatchDecoder(
      LoadedDecoder decoder, Predictor<NDList, NDList> predictor, DecodeSettings settings) {
    this(decoder, predictor, () -> predictor, settings, DeviceShare.unshared(decoder.device()));
  }

  public DecodedBatch decode(List<Latent> batch) {
    long start = System.nanoTime();
    Latent first = batch.get(0);
    List<DecodedBatch.Rejected> rejected = new ArrayList<>();
    try (NDManager scope = decoder.newBatchManager()) {
      NDArray latents = toTensor(scope, batch);
      boolean[] finite = finiteRows(latents);
      List<Latent> kept = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        if (finite[i]) {
          kept.add(batch.get(i));
        } else {
          rejected.add(
              new DecodedBatch.Rejected(
                  batch.get(i),
                  new LatentException(
                      ErrorKind.NON_FINITE_LATENT, "the latent holds NaN or Inf values")));
        }
      }
      if (kept.isEmpty()) {
        return new DecodedBatch(
            kept, new byte[0], 0, 0, rejected, 0, System.nanoTime() - start, 0, 0, 0);
      }
      if (kept.size() < batch.size()) {
        latents = latents.get(scope.create(indicesOf(finite)));
      }
      NDArray z = toDecoderInput(scope, latents);
      int tile = tileSizes.tileFor(z);
      boolean tiled = tile > 0;
      long forwardStart = System.nanoTime();
      NDArray images;
      int redecoded = 0;
      int oomSplits = 0;
      try {
        Shrunk shrunk = forward(scope, z, tile, first);
        if (shrunk.failed().length > 0) {
          List<Latent> survivors = new ArrayList<>();
          for (int i = 0; i < kept.size(); i++) {
            if (shrunk.failures()[i] == null) {
              survivors.add(kept.get(i));
            } else {
              rejected.add(new DecodedBatch.Rejected(kept.get(i), shrunk.failures()[i]));
            }
          }
          kept = survivors;
          if (kept.isEmpty()) {
            return new DecodedBatch(
                kept,
                new byte[0],
                0,
                0,
                rejected,
                System.nanoTime() - forwardStart,
                forwardStart - start,
                0,
                0,
                shrunk.splits());
          }
          z = z.get(scope.create(shrunk.succeeded()));
        }
        oomSplits = shrunk.splits();
        images = shrunk.images();
        if (settings.precision().isHalf()) {
          boolean[] ok = finiteRows(images);
          long[] overflowed = indicesOf(not(ok));
          if (overflowed.length > 0) {
            NDArray again = decodeImages(scope, z.get(scope.create(overflowed)), tile, true);
            images = replaceRows(images, overflowed, again);
            redecoded = overflowed.length;
          }
        }
      } catch (TranslateException | RuntimeException e) {
        for (Latent latent : kept) {
          rejected.add(new DecodedBatch.Rejected(latent, modelRejected(first, tiled, e)));
        }
        return new DecodedBatch(
            List.of(),
            new byte[0],
            0,
            0,
            rejected,
            System.nanoTime() - forwardStart,
            forwardStart - start,
            0,
            0,
            oomSplits);
      }
      long forwardNanos = System.nanoTime() - forwardStart;
      Shape out = images.getShape();
      if (out.dimension() != 4 || out.get(0) != kept.size() || out.get(1) != 3) {
        LatentException wrong =
            new LatentException(
                ErrorKind.MODEL_REJECTED,
                "the decoder returned shape "
                    + out
                    + " for input "
                    + z.getShape()
                    + "; expected [N, 3, H, W] RGB images");
        kept.forEach(latent -> rejected.add(new DecodedBatch.Rejected(latent, wrong)));
        return new DecodedBatch(
            List.of(), new byte[0], 0, 0, rejected, forwardNanos, 0, 0, 0, oomSplits);
      }
      boolean[] finiteImages = finiteRows(images);
      List<Latent> decoded = kept;
      if (indicesOf(not(finiteImages)).length > 0) {
        decoded = new ArrayList<>();
        for (int i = 0; i < kept.size(); i++) {
          if (finiteImages[i]) {
            decoded.add(kept.get(i));
          } else {
            rejected.add(
                new DecodedBatch.Rejected(
                    kept.get(i),
                    new LatentException(
                        ErrorKind.NON_FINITE_OUTPUT,
                        "the decoder produced NaN or Inf pixels"
                            + (settings.precision().isHalf() ? ", also in float32" : ""))));
          }
        }
        if (decoded.isEmpty()) {
          return new DecodedBatch(
              decoded, new byte[0], 0, 0, rejected, forwardNanos, 0, redecoded, 0, oomSplits);
        }
        images = images.get(scope.create(indicesOf(finiteImages)));
      }
      byte[] pixels = toPixels(images).toByteArray();
      long postprocess = System.nanoTime() - forwardStart - forwardNanos;
      return new DecodedBatch(
          decoded,
          pixels,
          (int) out.get(2),
          (int) out.get(3),
          rejected,
          forwardNanos,
          forwardStart - start,
          redecoded,
          tiled ? decoded.size() : 0,
          oomSplits,
          postprocess);
    }
  }

  @Override
  public void close() {
    if (fp32Predictor != null && fp32Predictor != predictor) {
      fp32Predictor.close();
    }
  }

  /**
   * What a decode that ran out of memory could still do: the images of the rows that succeeded (in
   * row order), per row the reason it failed (null when it succeeded), and how many times the work
   * was split.
   */
  private record Shrunk(
      NDArray images, LatentException[] failures, long[] succeeded, long[] failed, int splits) {}

  /**
   * The batch's forward; a single latent's, whole, may be the memory probe's measurement of its
   * size ({@link ForwardMemoryProbe#firstForward}).
   */
  private Shrunk forward(NDManager scope, NDArray z, int tile, Latent first)
      throws TranslateException {
    if (z.getShape().get(0) != 1 || tile > 0) {
      return decodeShrinkingOnOom(scope, z, tile);
    }
    try {
      return ForwardMemoryProbe.firstForward(
          decoder,
          first.channels(),
          first.height(),
          first.width(),
          share.service(),
          () -> decodeShrinkingOnOom(scope, z, tile),
          shrunk ->
              shrunk.splits() == 0 && shrunk.failed().length == 0
                  ? shrunk.images().getShape().get(2) * shrunk.images().getShape().get(3)
                  : 0);
    } catch (TranslateException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("the forward's memory measurement failed", e);
    }
  }

  /**
   * Decodes the batch; when the forward runs out of memory, halves the batch and retries each half,
   * down to single latents, then decodes a single latent in tiles of half the size (and half
   * again), and quarantines it only when even the smallest tiles do not fit. Other errors
   * propagate.
   */
  private Shrunk decodeShrinkingOnOom(NDManager scope, NDArray z, int tile)
      throws TranslateException {
    int n = (int) z.getShape().get(0);
    NDArray[] images = new NDArray[n];
    LatentException[] failures = new LatentException[n];
    int[] splits = {0};
    shrink(scope, z, tile, 0, images, failures, splits);
    NDList ok = new NDList();
    List<Long> succeeded = new ArrayList<>();
    List<Long> failed = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (failures[i] == null) {
        ok.add(images[i]);
        succeeded.add((long) i);
      } else {
        failed.add((long) i);
      }
    }
    return new Shrunk(
        ok.isEmpty() ? null : NDArrays.concat(ok, 0),
        failures,
        succeeded.stream().mapToLong(Long::longValue).toArray(),
        failed.stream().mapToLong(Long::longValue).toArray(),
        splits[0]);
  }

  private void shrink(
      NDManager scope,
      NDArray z,
      int tile,
      int offset,
      NDArray[] images,
      LatentException[] failures,
      int[] splits)
      throws TranslateException {
    NDArray out;
    try {
      out = decodeImages(scope, z, tile, false);
    } catch (TranslateException | RuntimeException e) {
      if (!isOutOfMemory(e)) {
        throw e;
      }
      int n = (int) z.getShape().get(0);
      if (n > 1) {
        splits[0]++;
        int half = n / 2;
        shrink(scope, z.get("0:" + half), tile, offset, images, failures, splits);
        shrink(scope, z.get(half + ":"), tile, offset + half, images, failures, splits);
        return;
      }
      int h = (int) z.getShape().get(2);
      int w = (int) z.getShape().get(3);
      int smaller = (tile > 0 ? tile : Math.max(h, w)) / 2;
      if (smaller >= Tiling.MIN_TILE && TiledForward.needed(h, w, smaller)) {
        splits[0]++;
        shrink(scope, z, smaller, offset, images, failures, splits);
        return;
      }
      failures[offset] =
          new LatentException(
              ErrorKind.OUT_OF_MEMORY,
              "the decoder ran out of memory for this latent alone"
                  + (tile > 0 ? " in tiles of " + tile : "")
                  + ": "
                  + Causes.rootMessage(e));
      return;
    }
    for (int i = 0; i < out.getShape().get(0); i++) {
      images[offset + i] = out.get(i + ":" + (i + 1));
    }
  }

  /** libtorch's CPU ("not enough memory") and CUDA ("out of memory") allocation failures. */
  static boolean isOutOfMemory(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
      if (m.contains("out of memory") || m.contains("not enough memory")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The images of {@code z}: whole, or for a tile side above 0 in tiles, by the decoder's own graph
   * with shared statistics or blended. {@code fp32}: the float32 decoder (the half-precision
   * fallback) instead of the one in the run's precision.
   */
  private NDArray decodeImages(NDManager scope, NDArray z, int tile, boolean fp32)
      throws TranslateException {
    Predictor<NDList, NDList> p = fp32 ? fp32Predictor() : predictor;
    if (tile <= 0) {
      return run(p, new NDList(z));
    }
    if (settings.tiling().sharesStatistics()) {
      return run(p, SharedStatisticsTiles.inputs(scope, z, tile));
    }
    return TiledForward.decode(
        scope, z, tile, settings.tiling().overlapFor(tile), piece -> run(p, new NDList(piece)));
  }

  private Predictor<NDList, NDList> fp32Predictor() {
    if (fp32Predictor == null) {
      fp32Predictor = settings.precision().isHalf() ? fp32Fallback.get() : predictor;
    }
    return fp32Predictor;
  }

  /**
   * One call of the decoder. Every decoder file takes and returns float32: the half-precision
   * exports cast inside (DJL 0.35.1 aborts the JVM on bfloat16 tensors, so they never cross into
   * Java).
   */
  private NDArray run(Predictor<NDList, NDList> p, NDList inputs) throws TranslateException {
    NDArray out = p.predict(inputs).get(0);
    if (out.getDataType() != DataType.FLOAT32) {
      throw new IllegalStateException(
          "the decoder returned "
              + out.getDataType()
              + "; decoders must return float32 (export half precision with"
              + " notebooks/export_decoder.py, which casts inside the module)");
    }
    return out;
  }

  private static NDArray replaceRows(NDArray images, long[] rows, NDArray replacements) {
    NDList parts = new NDList();
    int next = 0;
    for (int i = 0; i < images.getShape().get(0); i++) {
      if (next < rows.length && rows[next] == i) {
        parts.add(replacements.get(next++));
      } else {
        parts.add(images.get(i));
      }
    }
    return NDArrays.stack(parts);
  }

  /**
   * The batch as one float32 [N, C, h, w] tensor on the device, from a single direct buffer the
   * latents' bytes are bulk-copied into. float16 latents cross as float16 and are widened on the
   * device; bfloat16 ones are widened in Java (a shift per value), because DJL 0.35.1 aborts the
   * JVM on bfloat16 arrays.
   */
  private NDArray toTensor(NDManager scope, List<Latent> batch) {
    Latent first = batch.get(0);
    boolean half = first.dtype() == LatentDtype.FLOAT16;
    int elements = first.channels() * first.height() * first.width() * batch.size();
    int bytesNeeded = elements * (half ? 2 : 4);
    if (staging == null || staging.capacity() < bytesNeeded) {
      staging = ByteBuffer.allocateDirect(bytesNeeded).order(ByteOrder.LITTLE_ENDIAN);
    }
    staging.clear().limit(bytesNeeded);
    ByteBuffer bytes = staging.slice().order(ByteOrder.LITTLE_ENDIAN);
    Shape shape = new Shape(batch.size(), first.channels(), first.height(), first.width());
    if (half) {
      for (Latent latent : batch) {
        bytes.put(latent.data());
      }
      bytes.flip();
      return scope.create(bytes, shape, DataType.FLOAT16).toType(DataType.FLOAT32, false);
    }
    FloatBuffer floats = bytes.asFloatBuffer();
    for (Latent latent : batch) {
      latent.dtype().putAsFloat32(latent.data(), floats);
    }
    return scope.create(bytes, shape, DataType.FLOAT32);
  }

  /** {@code z = latent * std / scaling + mean + shift}, per channel when the preset has stats. */
  private NDArray toDecoderInput(NDManager scope, NDArray latents) {
    LatentConvention c = settings.convention();
    if (c.hasChannelStatistics()) {
      int channels = (int) latents.getShape().get(1);
      Shape perChannel = new Shape(1, channels, 1, 1);
      return latents
          .mul(scope.create(c.channelScale(channels), perChannel))
          .add(scope.create(c.channelOffset(channels), perChannel));
    }
    NDArray z = latents;
    if (c.scalingFactor() != 1.0) {
      z = z.div(c.scalingFactor());
    }
    if (c.shiftFactor() != 0.0) {
      z = z.add(c.shiftFactor());
    }
    return z;
  }

  /** Per row: true when every value is finite. */
  private static boolean[] finiteRows(NDArray values) {
    long rows = values.getShape().get(0);
    float[] badCounts =
        values
            .isNaN()
            .logicalOr(values.isInfinite())
            .toType(DataType.FLOAT32, false)
            .reshape(rows, -1)
            .sum(new int[] {1})
            .toFloatArray();
    boolean[] finite = new boolean[badCounts.length];
    for (int i = 0; i < finite.length; i++) {
      finite[i] = badCounts[i] == 0;
    }
    return finite;
  }

  private static boolean[] not(boolean[] flags) {
    boolean[] out = new boolean[flags.length];
    for (int i = 0; i < flags.length; i++) {
      out[i] = !flags[i];
    }
    return out;
  }

  private static long[] indicesOf(boolean[] flags) {
    return java.util.stream.IntStream.range(0, flags.length)
        .filter(i -> flags[i])
        .asLongStream()
        .toArray();
  }

  /**
   * [N, 3, H, W] float32 decoder output to [N, H, W, 3] uint8, on the device, without touching the
   * output in place.
   */
  private NDArray toPixels(NDArray images) {
    NDArray unit =
        settings.outputRange() == OutputRange.MINUS_ONE_TO_ONE ? images.mul(0.5).add(0.5) : images;
    return unit.clip(0, 1).mul(255).round().toType(DataType.UINT8, false).transpose(0, 2, 3, 1);
  }

  private static LatentException modelRejected(Latent first, boolean tiled, Throwable e) {
    return new LatentException(
        ErrorKind.MODEL_REJECTED,
        "the decoder failed on a batch of latents shaped "
            + java.util.Arrays.toString(first.shape())
            + (tiled ? " (decoded in tiles)" : "")
            + ": "
            + Causes.rootMessage(e));
  }
}
