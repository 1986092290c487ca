package io.latentdecode.udf.graph;

import static java.util.Objects.requireNonNull;

import io.latentdecode.udf.contract.Precision;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * diffusers' {@code AutoencoderKL} decode path (the SD 1.x/2.x, SDXL, SD3 and FLUX.1 VAEs): an
 * optional 1x1 {@code post_quant_conv}, {@code conv_in}, a mid block of ResNet, single-head
 * self-attention (optional) and ResNet, one up block per entry of {@code block_out_channels}
 * (reversed) with {@code layers_per_block + 1} ResNets and a nearest x2 upsampler on all but the
 * last, then GroupNorm, SiLU and {@code conv_out} to RGB. GroupNorm everywhere has {@code
 * norm_num_groups} groups and eps 1e-6.
 */
public record AutoencoderKlArchitecture(
    int latentChannels,
    List<Integer> blockOutChannels,
    int layersPerBlock,
    int normGroups,
    boolean postQuantConv,
    boolean midAttention)
    implements DecoderArchitecture {
  private static final long serialVersionUID = 1L;

  /** Queries per attention chunk: the scores of one chunk stay at 2048 x pixels floats. */
  static final int ATTENTION_QUERY_CHUNK = 2048;

  public AutoencoderKlArchitecture {
    blockOutChannels = List.copyOf(requireNonNull(blockOutChannels, "blockOutChannels is null"));
    if (latentChannels < 1 || blockOutChannels.isEmpty() || layersPerBlock < 0 || normGroups < 1) {
      throw new IllegalArgumentException(
          "Invalid AutoencoderKL: latent_channels "
              + latentChannels
              + ", block_out_channels "
              + blockOutChannels
              + ", layers_per_block "
              + layersPerBlock
              + ", norm_num_groups "
              + normGroups);
    }
    for (int c : blockOutChannels) {
      if (c < 1 || c % normGroups != 0) {
        throw new IllegalArgumentException(
            "Invalid AutoencoderKL: norm_num_groups "
                + normGroups
                + " does not divide block_out_channels entry "
                + c);
      }
    }
  }

  @Override
  public String name() {
    return "AutoencoderKL";
  }

  @Override
  public String graph() {
    return "autoencoder_kl";
  }

  /** Up block {@code i}'s channels: {@code block_out_channels} reversed. */
  private int upChannels(int i) {
    return blockOutChannels.get(blockOutChannels.size() - 1 - i);
  }

  @Override
  public Map<String, long[]> tensors() {
    Map<String, long[]> t = new LinkedHashMap<>();
    int c = latentChannels;
    if (postQuantConv) {
      conv(t, "post_quant_conv", c, c, 1);
    }
    int top = upChannels(0);
    conv(t, "decoder.conv_in", top, c, 3);
    resnet(t, "decoder.mid_block.resnets.0", top, top);
    if (midAttention) {
      String a = "decoder.mid_block.attentions.0";
      norm(t, a + ".group_norm", top);
      for (String p : new String[] {".to_q", ".to_k", ".to_v", ".to_out.0"}) {
        t.put(a + p + ".weight", new long[] {top, top});
        t.put(a + p + ".bias", new long[] {top});
      }
    }
    resnet(t, "decoder.mid_block.resnets.1", top, top);
    int previous = top;
    int blocks = blockOutChannels.size();
    for (int b = 0; b < blocks; b++) {
      int out = upChannels(b);
      String block = "decoder.up_blocks." + b;
      for (int r = 0; r <= layersPerBlock; r++) {
        resnet(t, block + ".resnets." + r, r == 0 ? previous : out, out);
      }
      if (b < blocks - 1) {
        conv(t, block + ".upsamplers.0.conv", out, out, 3);
      }
      previous = out;
    }
    norm(t, "decoder.conv_norm_out", previous);
    conv(t, "decoder.conv_out", 3, previous, 3);
    return t;
  }

  private static void resnet(Map<String, long[]> t, String name, int in, int out) {
    norm(t, name + ".norm1", in);
    conv(t, name + ".conv1", out, in, 3);
    norm(t, name + ".norm2", out);
    conv(t, name + ".conv2", out, out, 3);
    if (in != out) {
      conv(t, name + ".conv_shortcut", out, in, 1);
    }
  }

  private static void conv(Map<String, long[]> t, String name, int out, int in, int k) {
    t.put(name + ".weight", new long[] {out, in, k, k});
    t.put(name + ".bias", new long[] {out});
  }

  private static void norm(Map<String, long[]> t, String name, int channels) {
    t.put(name + ".weight", new long[] {channels});
    t.put(name + ".bias", new long[] {channels});
  }

  @Override
  public boolean tilesWithSharedStatistics() {
    return true;
  }

  @Override
  public long[] programConfig(Precision precision) {
    return new long[] {
      DecoderArchitecture.dtypeCode(precision),
      normGroups,
      blockOutChannels.size(),
      layersPerBlock + 1,
      postQuantConv ? 1 : 0,
      midAttention ? 1 : 0,
      ATTENTION_QUERY_CHUNK
    };
  }

  @Override
  public Map<String, Object> parameters() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("latent_channels", latentChannels);
    p.put("block_out_channels", new ArrayList<>(blockOutChannels));
    p.put("layers_per_block", layersPerBlock);
    p.put("norm_num_groups", normGroups);
    p.put("use_post_quant_conv", postQuantConv);
    p.put("mid_block_add_attention", midAttention);
    return p;
  }

  /**
   * The architecture a set of decoder tensors (canonical names) describes: channels and block
   * counts from the shapes, {@code norm_num_groups} 32 (every released VAE of this family; the
   * shapes do not show it).
   *
   * @throws InvalidModelException when the tensors are not an AutoencoderKL decoder
   */
  public static AutoencoderKlArchitecture infer(
      Map<String, SafetensorsHeader.Tensor> canonical, String fileName)
      throws InvalidModelException {
    SafetensorsHeader.Tensor convIn = canonical.get("decoder.conv_in.weight");
    if (convIn == null || convIn.shape().length != 4) {
      throw new InvalidModelException(
          fileName + " has no 4-D decoder.conv_in.weight: not an AutoencoderKL decoder");
    }
    int blocks = 0;
    while (canonical.containsKey("decoder.up_blocks." + blocks + ".resnets.0.conv1.weight")) {
      blocks++;
    }
    int resnets = 0;
    while (canonical.containsKey("decoder.up_blocks.0.resnets." + resnets + ".conv1.weight")) {
      resnets++;
    }
    if (blocks == 0 || resnets == 0) {
      throw new InvalidModelException(
          fileName + " has no decoder up blocks (decoder.up_blocks.0.resnets.0.conv1.weight)");
    }
    List<Integer> channels = new ArrayList<>();
    for (int b = blocks - 1; b >= 0; b--) {
      channels.add(
          (int) canonical.get("decoder.up_blocks." + b + ".resnets.0.conv1.weight").shape()[0]);
    }
    try {
      return new AutoencoderKlArchitecture(
          (int) convIn.shape()[1],
          channels,
          resnets - 1,
          32,
          canonical.containsKey("post_quant_conv.weight"),
          canonical.containsKey("decoder.mid_block.attentions.0.to_q.weight"));
    } catch (IllegalArgumentException e) {
      throw new InvalidModelException(fileName + ": " + e.getMessage());
    }
  }
}
