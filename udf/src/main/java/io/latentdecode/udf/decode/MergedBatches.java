package io.latentdecode.udf.decode;

import io.latentdecode.udf.latent.Latent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Batches of several tasks decoded in one forward and split back: each part gets the images and the
 * quarantined rows of its own latents, in its own order, and its share of the forward's time (by
 * rows). Counts that belong to the forward as a whole (images decoded again in float32, out of
 * memory splits) go to the first part, so that the run's totals stay right.
 */
public final class MergedBatches {
  private MergedBatches() {}

  /** Decodes the parts (latents of one shape and dtype) as one batch; one result per part. */
  public static List<DecodedBatch> decode(BatchDecoder decoder, List<List<Latent>> parts) {
    if (parts.size() == 1) {
      return List.of(decoder.decode(parts.get(0)));
    }
    List<Latent> all = new ArrayList<>();
    parts.forEach(all::addAll);
    return split(decoder.decode(all), parts);
  }

  /** The result of a forward over the parts' latents (in part order), split back into parts. */
  static List<DecodedBatch> split(DecodedBatch whole, List<List<Latent>> parts) {
    int total = parts.stream().mapToInt(List::size).sum();
    List<DecodedBatch> split = new ArrayList<>(parts.size());
    for (int p = 0; p < parts.size(); p++) {
      Set<Latent> mine = Collections.newSetFromMap(new IdentityHashMap<>());
      mine.addAll(parts.get(p));
      List<Latent> decoded = new ArrayList<>();
      List<Integer> rows = new ArrayList<>();
      for (int i = 0; i < whole.decoded().size(); i++) {
        if (mine.contains(whole.decoded().get(i))) {
          decoded.add(whole.decoded().get(i));
          rows.add(i);
        }
      }
      int imageBytes = whole.imageBytes();
      byte[] pixels = new byte[rows.size() * imageBytes];
      for (int j = 0; j < rows.size(); j++) {
        System.arraycopy(
            whole.pixels(), rows.get(j) * imageBytes, pixels, j * imageBytes, imageBytes);
      }
      List<DecodedBatch.Rejected> rejected = new ArrayList<>();
      for (DecodedBatch.Rejected r : whole.rejected()) {
        if (mine.contains(r.latent())) {
          rejected.add(r);
        }
      }
      double share = (double) parts.get(p).size() / total;
      boolean first = p == 0;
      split.add(
          new DecodedBatch(
              decoded,
              pixels,
              whole.height(),
              whole.width(),
              rejected,
              Math.round(whole.forwardNanos() * share),
              Math.round(whole.preprocessNanos() * share),
              first ? whole.fp32Redecoded() : 0,
              whole.tiled() > 0 ? decoded.size() : 0,
              first ? whole.oomSplits() : 0,
              Math.round(whole.postprocessNanos() * share)));
    }
    return split;
  }
}
