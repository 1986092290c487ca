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
  private final Map<String, Group> pending = new LinkedHashMap<>();

  /** A batch being filled, and the size that fills it (asked once, when the batch starts). */
  private record Group(List<Latent> latents, int size) {}

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

  /** Adds a latent; returns a full batch when this one completes it, else null. */
  public List<Latent> add(Latent latent) {
    String key = latent.dtype() + Arrays.toString(latent.shape());
    Group group =
        pending.computeIfAbsent(
            key, k -> new Group(new ArrayList<>(), batchSize.applyAsInt(latent)));
    group.latents().add(latent);
    if (group.latents().size() < group.size()) {
      return null;
    }
    pending.remove(key);
    return group.latents();
  }

  /** The remaining partial batches, oldest shape first; leaves the batcher empty. */
  public List<List<Latent>> drain() {
    List<List<Latent>> rest = new ArrayList<>();
    pending.values().forEach(g -> rest.add(g.latents()));
    pending.clear();
    return rest;
  }
}
