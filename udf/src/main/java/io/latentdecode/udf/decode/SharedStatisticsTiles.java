package io.latentdecode.udf.decode;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * The inputs that make a predictor of one of the job's decode graphs run its {@code decode_tiled}
 * method instead of {@code forward} (see {@code make_decode_graphs.py}): the latents, the tile's
 * side in latent pixels, and DJL's marker naming the method. The graph decodes tile by tile with
 * every GroupNorm normalising over the whole map, so the result is the whole decode's; it runs
 * through the predictor path like any forward, under inference mode.
 */
public final class SharedStatisticsTiles {
  static final String METHOD = "decode_tiled";

  private SharedStatisticsTiles() {}

  public static NDList inputs(NDManager scope, NDArray z, int tile) {
    NDArray side = scope.create(new long[] {tile});
    NDArray method = scope.create(new long[] {0});
    method.setName("module_method:" + METHOD);
    return new NDList(z, side, method);
  }
}
