package io.latentdecode.udf.graph;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a weights file names a decoder's tensors, and the canonical names the decode graphs use
 * (diffusers' for AutoencoderKL, madebyollin's {@code nn.Sequential} indices for TAESD). Tensors a
 * decode does not need (the encoder's, {@code quant_conv}) have no canonical name and are never
 * read.
 */
public enum WeightLayout {
  /** diffusers' {@code AutoencoderKL} state dict: {@code decoder.up_blocks.0.resnets.0...}. */
  DIFFUSERS("diffusers AutoencoderKL"),
  /**
   * The original CompVis/LDM layout of single-file VAE checkpoints ({@code decoder.up.3.block.0},
   * {@code decoder.mid.attn_1.q}), also Black Forest Labs' FLUX {@code ae.safetensors}. LDM numbers
   * its up levels from the highest resolution, diffusers from the lowest.
   */
  LDM("original (CompVis/LDM) single file"),
  /** madebyollin's TAESD decoder files: {@code 1.weight}, {@code 3.conv.0.weight}, ... */
  TAESD("TAESD (madebyollin)"),
  /** diffusers' {@code AutoencoderTiny}: {@code decoder.layers.0.weight} is TAESD's layer 1. */
  DIFFUSERS_TINY("diffusers AutoencoderTiny");

  private static final String[] FILE_PREFIXES = {"", "first_stage_model.", "vae."};
  private static final Pattern LDM_UP = Pattern.compile("decoder\\.up\\.(\\d+)\\.(.*)");
  private static final Pattern LDM_BLOCK = Pattern.compile("block\\.(\\d+)\\.(.*)");
  private static final Pattern TINY_LAYER = Pattern.compile("decoder\\.layers\\.(\\d+)\\.(.*)");

  private final String description;

  WeightLayout(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }

  /** The TAESD family's layouts (the TAESD graph), as opposed to AutoencoderKL's. */
  public boolean isTiny() {
    return this == TAESD || this == DIFFUSERS_TINY;
  }

  /** The layout of a single weights file, from its tensor names; null when none fits. */
  public static WeightLayout detect(Collection<String> names) {
    for (String p : FILE_PREFIXES) {
      if (names.contains(p + "decoder.up_blocks.0.resnets.0.conv1.weight")) {
        return DIFFUSERS;
      }
      if (names.contains(p + "decoder.up.0.block.0.conv1.weight")
          || names.contains(p + "decoder.mid.attn_1.q.weight")) {
        return LDM;
      }
    }
    if (names.contains("decoder.layers.0.weight")) {
      return DIFFUSERS_TINY;
    }
    if (names.contains("1.weight") && names.contains("3.conv.0.weight")
        || names.contains("decoder.1.weight") && names.contains("decoder.3.conv.0.weight")) {
      return TAESD;
    }
    return null;
  }

  /** Canonical name to the file's name, for every tensor of the file a decode may use. */
  public Map<String, String> canonicalNames(Collection<String> names) {
    String prefix = prefix(names);
    int ldmLevels = 0;
    if (this == LDM) {
      for (String n : names) {
        Matcher m = LDM_UP.matcher(strip(n, prefix));
        if (m.matches()) {
          ldmLevels = Math.max(ldmLevels, Integer.parseInt(m.group(1)) + 1);
        }
      }
    }
    Map<String, String> canonical = new LinkedHashMap<>();
    for (String n : names) {
      if (!n.startsWith(prefix)) {
        continue;
      }
      String c = canonical(n.substring(prefix.length()), ldmLevels);
      if (c != null) {
        canonical.put(c, n);
      }
    }
    return canonical;
  }

  private String prefix(Collection<String> names) {
    if (this == TAESD) {
      return names.contains("1.weight") ? "" : "decoder.";
    }
    if (this == DIFFUSERS_TINY) {
      return "";
    }
    for (String p : FILE_PREFIXES) {
      if (names.contains(p + "decoder.conv_in.weight")) {
        return p;
      }
    }
    return "";
  }

  private static String strip(String name, String prefix) {
    return name.startsWith(prefix) ? name.substring(prefix.length()) : name;
  }

  private String canonical(String name, int ldmLevels) {
    return switch (this) {
      case DIFFUSERS, TAESD -> isDecoderTensor(name) ? name : null;
      case DIFFUSERS_TINY -> {
        Matcher m = TINY_LAYER.matcher(name);
        yield m.matches() ? (Integer.parseInt(m.group(1)) + 1) + "." + m.group(2) : null;
      }
      case LDM -> ldmToDiffusers(name, ldmLevels);
    };
  }

  private boolean isDecoderTensor(String name) {
    if (this == TAESD) {
      return Character.isDigit(name.charAt(0));
    }
    return name.startsWith("decoder.") || name.startsWith("post_quant_conv.");
  }

  private static String ldmToDiffusers(String name, int levels) {
    if (name.startsWith("post_quant_conv.")
        || name.startsWith("decoder.conv_in.")
        || name.startsWith("decoder.conv_out.")) {
      return name;
    }
    if (name.startsWith("decoder.norm_out.")) {
      return "decoder.conv_norm_out." + name.substring("decoder.norm_out.".length());
    }
    if (name.startsWith("decoder.mid.block_1.")) {
      return resnet(
          "decoder.mid_block.resnets.0.", name.substring("decoder.mid.block_1.".length()));
    }
    if (name.startsWith("decoder.mid.block_2.")) {
      return resnet(
          "decoder.mid_block.resnets.1.", name.substring("decoder.mid.block_2.".length()));
    }
    if (name.startsWith("decoder.mid.attn_1.")) {
      String rest = name.substring("decoder.mid.attn_1.".length());
      String a = "decoder.mid_block.attentions.0.";
      int dot = rest.indexOf('.');
      String part = rest.substring(0, dot);
      String leaf = rest.substring(dot);
      return switch (part) {
        case "norm" -> a + "group_norm" + leaf;
        case "q" -> a + "to_q" + leaf;
        case "k" -> a + "to_k" + leaf;
        case "v" -> a + "to_v" + leaf;
        case "proj_out" -> a + "to_out.0" + leaf;
        default -> null;
      };
    }
    Matcher up = LDM_UP.matcher(name);
    if (up.matches()) {
      String block = "decoder.up_blocks." + (levels - 1 - Integer.parseInt(up.group(1))) + ".";
      String rest = up.group(2);
      if (rest.startsWith("upsample.conv.")) {
        return block + "upsamplers.0.conv." + rest.substring("upsample.conv.".length());
      }
      Matcher b = LDM_BLOCK.matcher(rest);
      if (b.matches()) {
        return resnet(block + "resnets." + b.group(1) + ".", b.group(2));
      }
    }
    return null;
  }

  private static String resnet(String prefix, String leaf) {
    return prefix
        + (leaf.startsWith("nin_shortcut.") ? "conv_shortcut." + leaf.substring(13) : leaf);
  }
}
