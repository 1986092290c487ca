package io.latentdecode.udf.decode;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
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
import io.latentdecode.udf.latent.Latent;
import io.latentdecode.udf.latent.LatentException;
import io.latentdecode.udf.model.LoadedDecoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes one micro-batch of equal-shape latents into 8-bit RGB pixels. All tensor work happens on
 * the decoder's device in a per-batch {@link NDManager} scope: the latent bytes go in as one
 * tensor, NaN/Inf rows are set aside, {@code z = latent / scaling + shift}, the forward runs under
 * inference mode, and the postprocessing (range to [0, 1], clamp, x255, round, uint8, HWC) is done
 * out of place, because forward outputs are inference tensors that refuse in-place updates. Only
 * the 8-bit pixels come back.
 */
public final class BatchDecoder {
  private final LoadedDecoder decoder;
  private final Predictor<NDList, NDList> predictor;
  private final DecodeSettings settings;

  /**
   * The task's staging buffer for latent bytes, reused across batches (grown when a batch needs
   * more).
   */
  private ByteBuffer staging;

  public BatchDecoder(
      LoadedDecoder decoder, Predictor<NDList, NDList> predictor, DecodeSettings settings) {
    this.decoder = decoder;
    this.predictor = predictor;
    this.settings = settings;
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
        return new DecodedBatch(kept, new byte[0], 0, 0, rejected, 0, System.nanoTime() - start);
      }
      if (kept.size() < batch.size()) {
        latents = latents.get(scope.create(indicesOf(finite)));
      }
      NDArray z = toDecoderInput(scope, latents);
      long forwardStart = System.nanoTime();
      NDArray images;
      try {
        images = predictor.predict(new NDList(z)).get(0);
      } catch (TranslateException | RuntimeException e) {
        for (Latent latent : kept) {
          rejected.add(new DecodedBatch.Rejected(latent, modelRejected(first, e)));
        }
        return new DecodedBatch(
            List.of(),
            new byte[0],
            0,
            0,
            rejected,
            System.nanoTime() - forwardStart,
            forwardStart - start);
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
        return new DecodedBatch(List.of(), new byte[0], 0, 0, rejected, forwardNanos, 0);
      }
      byte[] pixels = toPixels(images).toByteArray();
      long prePost = System.nanoTime() - start - forwardNanos;
      return new DecodedBatch(
          kept, pixels, (int) out.get(2), (int) out.get(3), rejected, forwardNanos, prePost);
    }
  }

  /** The batch as one float32 [N, C, h, w] tensor on the device, from a single direct buffer. */
  private NDArray toTensor(NDManager scope, List<Latent> batch) {
    Latent first = batch.get(0);
    int bytesNeeded = first.channels() * first.height() * first.width() * 4 * batch.size();
    if (staging == null || staging.capacity() < bytesNeeded) {
      staging = ByteBuffer.allocateDirect(bytesNeeded).order(ByteOrder.LITTLE_ENDIAN);
    }
    staging.clear().limit(bytesNeeded);
    ByteBuffer bytes = staging.slice().order(ByteOrder.LITTLE_ENDIAN);
    FloatBuffer floats = bytes.asFloatBuffer();
    for (Latent latent : batch) {
      latent.dtype().putAsFloat32(latent.data(), floats);
    }
    Shape shape = new Shape(batch.size(), first.channels(), first.height(), first.width());
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
  private static boolean[] finiteRows(NDArray latents) {
    long rows = latents.getShape().get(0);
    float[] badCounts =
        latents
            .isNaN()
            .logicalOr(latents.isInfinite())
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

  private static long[] indicesOf(boolean[] flags) {
    return java.util.stream.IntStream.range(0, flags.length)
        .filter(i -> flags[i])
        .asLongStream()
        .toArray();
  }

  /**
   * [N, 3, H, W] decoder output to [N, H, W, 3] uint8, on the device, without touching the output
   * in place.
   */
  private NDArray toPixels(NDArray images) {
    NDArray unit =
        settings.outputRange() == OutputRange.MINUS_ONE_TO_ONE ? images.mul(0.5).add(0.5) : images;
    return unit.clip(0, 1).mul(255).round().toType(DataType.UINT8, false).transpose(0, 2, 3, 1);
  }

  private static LatentException modelRejected(Latent first, Throwable e) {
    return new LatentException(
        ErrorKind.MODEL_REJECTED,
        "the decoder failed on a batch of latents shaped "
            + java.util.Arrays.toString(first.shape())
            + ": "
            + Causes.rootMessage(e));
  }
}
