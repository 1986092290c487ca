package io.latentdecode.udf.decode;

import io.latentdecode.udf.latent.Latent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Groups latents into micro-batches of equal shape and dtype, the unit the decoder runs on. Holds
 * fewer than a batch of latents per distinct shape between calls.
 */
public final class ShapeBatcher {
  private final ToIntFunction<Latent> batchSize;
  private final Map<String, Batch> pending = new LinkedHashMap<>();

  /**
   * A batch of latents of one shape and dtype, and the batch size it was filled for (asked once,
   * when the batch started): a batch that holds fewer is a partial one.
   */
  public record Batch(List<Latent> latents, int size) {}

  public ShapeBatcher(int batchSize) {
    this(latent -> batchSize);
    if (batchSize < 1) {
      throw new IllegalArgumentException(
          "Invalid batch size " + batchSize + ": must be at least 1");
    }
  }

  /**
   * @param batchSize the batch size for latents shaped like the given one; asked when a batch of
   *     that shape starts, not per latent
   */
  public ShapeBatcher(ToIntFunction<Latent> batchSize) {
    this.batchSize = batchSize;
  }

  /** What latents batched together share: their dtype and shape. */
  public static String keyOf(Latent latent) {
    return latent.dtype() + Arrays.toString(latent.shape());
  }

  /** Adds a latent; returns a full batch when this one completes it, else null. */
  public Batch add(Latent latent) {
    String key = keyOf(latent);
    Batch batch =
        pending.computeIfAbsent(
            key, k -> new Batch(new ArrayList<>(), batchSize.applyAsInt(latent)));
    batch.latents().add(latent);
    if (batch.latents().size() < batch.size()) {
      return null;
    }
    pending.remove(key);
    return batch;
  }

  /** The remaining partial batches, oldest shape first; leaves the batcher empty. */
  public List<Batch> drain() {
    List<Batch> rest = new ArrayList<>(pending.values());
    pending.clear();
    return rest;
  }
}
