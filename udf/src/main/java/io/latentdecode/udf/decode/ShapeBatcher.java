package io.latentdecode.udf.decode;

import io.latentdecode.udf.latent.Latent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Groups latents into micro-batches of equal shape and dtype, the unit the decoder runs on. Holds
 * at most {@code batchSize - 1} latents per distinct shape between calls.
 */
public final class ShapeBatcher {
  private final int batchSize;
  private final Map<String, List<Latent>> pending = new LinkedHashMap<>();

  public ShapeBatcher(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException(
          "Invalid batch size " + batchSize + ": must be at least 1");
    }
    this.batchSize = batchSize;
  }

  /** Adds a latent; returns a full batch when this one completes it, else null. */
  public List<Latent> add(Latent latent) {
    String key = latent.dtype() + Arrays.toString(latent.shape());
    List<Latent> group = pending.computeIfAbsent(key, k -> new ArrayList<>(batchSize));
    group.add(latent);
    if (group.size() < batchSize) {
      return null;
    }
    pending.remove(key);
    return group;
  }

  /** The remaining partial batches, oldest shape first; leaves the batcher empty. */
  public List<List<Latent>> drain() {
    List<List<Latent>> rest = new ArrayList<>(pending.values());
    pending.clear();
    return rest;
  }
}
