package io.latentdecode.udf.graph;

import static java.util.Objects.requireNonNull;

import io.latentdecode.udf.contract.Precision;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * madebyollin's tiny decoder of the TAESD family (TAESD, TAESDXL, TAESD3, TAEF1, TAEF2): the layers
 * of its {@code nn.Sequential} by index, 1 conv from the latent, blocks at 3-5, 8-10, 13-15 and 18,
 * x2 upsampling before the bias-free convs 7, 12 and 17, and conv 19 to RGB. A block may carry a
 * pooled GroupNorm(4) branch (TAEF2's first blocks). Output in [0, 1].
 */
public record TaesdArchitecture(int latentChannels, int width, List<Integer> pooledBlocks)
    implements DecoderArchitecture {
  private static final long serialVersionUID = 1L;

  static final List<Integer> BLOCKS = List.of(3, 4, 5, 8, 9, 10, 13, 14, 15, 18);
  static final List<Integer> BIAS_FREE_CONVS = List.of(7, 12, 17);

  public TaesdArchitecture {
    pooledBlocks = List.copyOf(requireNonNull(pooledBlocks, "pooledBlocks is null"));
    if (latentChannels < 1 || width < 1) {
      throw new IllegalArgumentException(
          "Invalid TAESD decoder: latent channels " + latentChannels + ", width " + width);
    }
  }

  @Override
  public String name() {
    return "TAESD";
  }

  @Override
  public String graph() {
    return "taesd";
  }

  @Override
  public Map<String, long[]> tensors() {
    Map<String, long[]> t = new LinkedHashMap<>();
    t.put("1.weight", new long[] {width, latentChannels, 3, 3});
    t.put("1.bias", new long[] {width});
    for (int i = 3; i <= 19; i++) {
      if (BLOCKS.contains(i)) {
        if (pooledBlocks.contains(i)) {
          t.put(i + ".pool.0.weight", new long[] {4L * width, width, 1, 1});
          t.put(i + ".pool.1.weight", new long[] {4L * width});
          t.put(i + ".pool.1.bias", new long[] {4L * width});
          t.put(i + ".pool.3.weight", new long[] {width, 4L * width, 1, 1});
        }
        for (int c : new int[] {0, 2, 4}) {
          t.put(i + ".conv." + c + ".weight", new long[] {width, width, 3, 3});
          t.put(i + ".conv." + c + ".bias", new long[] {width});
        }
      } else if (BIAS_FREE_CONVS.contains(i)) {
        t.put(i + ".weight", new long[] {width, width, 3, 3});
      }
    }
    t.put("19.weight", new long[] {3, width, 3, 3});
    t.put("19.bias", new long[] {3});
    return t;
  }

  /** The graph runs the blocks before the first upsampling whole; the rest has no GroupNorm. */
  @Override
  public boolean tilesWithSharedStatistics() {
    return pooledBlocks.stream().allMatch(b -> b < 6);
  }

  @Override
  public long[] programConfig(Precision precision) {
    return new long[] {DecoderArchitecture.dtypeCode(precision)};
  }

  @Override
  public Map<String, Object> parameters() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("latent_channels", latentChannels);
    p.put("width", width);
    p.put("pooled_blocks", new ArrayList<>(pooledBlocks));
    return p;
  }

  /**
   * The architecture a set of TAESD tensors (canonical names) describes: latent channels and width
   * from the first conv, the pooled branch wherever its tensors are.
   */
  public static TaesdArchitecture infer(
      Map<String, SafetensorsHeader.Tensor> canonical, String fileName)
      throws InvalidModelException {
    SafetensorsHeader.Tensor first = canonical.get("1.weight");
    if (first == null || first.shape().length != 4) {
      throw new InvalidModelException(
          fileName + " has no 4-D tensor '1.weight': not a TAESD-family decoder");
    }
    List<Integer> pooled = new ArrayList<>();
    for (int b : BLOCKS) {
      if (canonical.containsKey(b + ".pool.0.weight")) {
        pooled.add(b);
      }
    }
    return new TaesdArchitecture((int) first.shape()[1], (int) first.shape()[0], pooled);
  }
}
