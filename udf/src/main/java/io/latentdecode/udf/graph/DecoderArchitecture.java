package io.latentdecode.udf.graph;

import io.latentdecode.udf.contract.Precision;
import java.io.Serializable;
import java.util.Map;

/**
 * A decoder the job runs through one of its own decode graphs ({@code make_decode_graphs.py}): the
 * numbers that fix every tensor's name and shape. Built on the driver from a config or from the
 * weights' names and shapes; travels to executors inside the {@link
 * io.latentdecode.udf.contract.ModelRef}.
 */
public sealed interface DecoderArchitecture extends Serializable
    permits AutoencoderKlArchitecture, TaesdArchitecture {

  /** The class name users know it by: {@code AutoencoderKL}, {@code TAESD}. */
  String name();

  /** The graph program's resource name under {@code io/latentdecode/udf/graphs/}. */
  String graph();

  int latentChannels();

  /** Every tensor the decode needs: canonical name to shape, in a fixed order. */
  Map<String, long[]> tensors();

  /** The arguments of the program's {@code configure} for a forward in {@code precision}. */
  long[] programConfig(Precision precision);

  /**
   * Whether the graph's {@code decode_tiled} can decode this architecture in tiles with every
   * GroupNorm's statistics shared over the whole map.
   */
  boolean tilesWithSharedStatistics();

  /** The architecture's parameters, by the names diffusers' configs use, for reports. */
  Map<String, Object> parameters();

  /** The program's dtype code: 0 float32, 1 float16, 2 bfloat16. */
  static long dtypeCode(Precision precision) {
    return switch (precision) {
      case FP16 -> 1;
      case BF16 -> 2;
      default -> 0;
    };
  }
}
