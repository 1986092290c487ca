package io.latentdecode.udf.decode;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.TranslateException;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes latents larger than a tile in overlapping tiles of equal size and blends them linearly
 * where they overlap, as the reference tiled VAE decoders do: each tile's weight ramps from 1 down
 * towards 0 across the band it shares with its neighbour, the neighbour's ramps up, and the
 * weighted sum is normalised, so no seam shows. A tile's forward is one call for all latents of the
 * batch.
 */
final class TiledForward {
  /** The decoder's forward pass: {@code [N, C, h, w]} latents to {@code [N, 3, H, W]} images. */
  interface Forward {
    NDArray apply(NDArray z) throws TranslateException;
  }

  private TiledForward() {}

  /** Whether a latent of this size needs tiles of this size. */
  static boolean needed(int height, int width, int tile) {
    return height > tile || width > tile;
  }

  static NDArray decode(NDManager scope, NDArray z, int tile, int overlap, Forward forward)
      throws TranslateException {
    Shape shape = z.getShape();
    int n = (int) shape.get(0);
    int h = (int) shape.get(2);
    int w = (int) shape.get(3);
    List<Integer> ys = starts(h, tile, overlap);
    List<Integer> xs = starts(w, tile, overlap);
    int th = Math.min(tile, h);
    int tw = Math.min(tile, w);
    NDArray sum = null;
    NDArray weights = null;
    int scale = 0;
    for (int iy = 0; iy < ys.size(); iy++) {
      for (int ix = 0; ix < xs.size(); ix++) {
        int y = ys.get(iy);
        int x = xs.get(ix);
        NDArray piece =
            forward
                .apply(z.get(new NDIndex(":, :, {}:{}, {}:{}", y, y + th, x, x + tw)))
                .toType(DataType.FLOAT32, false);
        if (sum == null) {
          scale = (int) (piece.getShape().get(2) / th);
          sum =
              scope.zeros(
                  new Shape(n, piece.getShape().get(1), (long) h * scale, (long) w * scale));
          weights = scope.zeros(new Shape(1, 1, (long) h * scale, (long) w * scale));
        }
        int before = iy > 0 ? ys.get(iy - 1) + th - y : 0;
        int after = iy + 1 < ys.size() ? y + th - ys.get(iy + 1) : 0;
        int left = ix > 0 ? xs.get(ix - 1) + tw - x : 0;
        int right = ix + 1 < xs.size() ? x + tw - xs.get(ix + 1) : 0;
        NDArray rampY = scope.create(ramp(th * scale, before * scale, after * scale));
        NDArray rampX = scope.create(ramp(tw * scale, left * scale, right * scale));
        NDArray mask =
            rampY
                .reshape(th * scale, 1)
                .mul(rampX.reshape(1, tw * scale))
                .expandDims(0)
                .expandDims(0);
        NDIndex region =
            new NDIndex(
                ":, :, {}:{}, {}:{}", y * scale, (y + th) * scale, x * scale, (x + tw) * scale);
        sum.set(region, sum.get(region).add(piece.mul(mask)));
        weights.set(region, weights.get(region).add(mask));
      }
    }
    return sum.div(weights);
  }

  /** Tile starts along one axis: every {@code tile - overlap}, the last flush with the end. */
  static List<Integer> starts(int length, int tile, int overlap) {
    List<Integer> starts = new ArrayList<>();
    if (length <= tile) {
      starts.add(0);
      return starts;
    }
    int stride = Math.max(1, tile - overlap);
    for (int p = 0; p + tile < length; p += stride) {
      starts.add(p);
    }
    starts.add(length - tile);
    return starts;
  }

  /**
   * Weights along one side of a tile: 1 inside, a linear ramp across the bands shared with the
   * neighbour before and after ({@code (i + 1) / (band + 1)}), so two neighbours' weights sum to 1.
   */
  static float[] ramp(int length, int bandBefore, int bandAfter) {
    float[] w = new float[length];
    for (int i = 0; i < length; i++) {
      float v = 1f;
      if (i < bandBefore) {
        v = Math.min(v, (i + 1f) / (bandBefore + 1f));
      }
      int fromEnd = length - 1 - i;
      if (fromEnd < bandAfter) {
        v = Math.min(v, (fromEnd + 1f) / (bandAfter + 1f));
      }
      w[i] = v;
    }
    return w;
  }
}
