package io.latentdecode.job.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.latentdecode.job.JobSetupException;
import io.latentdecode.udf.contract.LatentConvention;
import io.latentdecode.udf.contract.OutputRange;
import io.latentdecode.udf.graph.AutoencoderKlArchitecture;
import java.util.ArrayList;
import java.util.List;

/**
 * A diffusers VAE's {@code config.json}: the architecture (for {@code AutoencoderKL}) and the
 * decode conventions ({@code scaling_factor}, {@code shift_factor}, {@code latents_mean}, {@code
 * latents_std}, {@code latent_channels}, {@code force_upcast}), with diffusers' defaults for keys
 * it omits. A key the job cannot honour stops the run, naming the key, what it holds and what the
 * job implements.
 *
 * @param className {@code AutoencoderKL} or {@code AutoencoderTiny}
 * @param architecture the AutoencoderKL architecture, or null for {@code AutoencoderTiny} (whose
 *     layers are TAESD's, read from the weights)
 * @param convention the decode conventions the config gives
 * @param forceUpcast the config's word that the model overflows in float16
 */
public record DiffusersConfig(
    String className,
    AutoencoderKlArchitecture architecture,
    LatentConvention convention,
    boolean forceUpcast) {

  public static final String AUTOENCODER_KL = "AutoencoderKL";
  public static final String AUTOENCODER_TINY = "AutoencoderTiny";

  /** The convention name runs report for conventions from a model's config. */
  public static final String CONVENTION_NAME = "config.json";

  static DiffusersConfig parse(JsonNode config, String configUri) {
    Reader r = new Reader(config, configUri);
    String className = r.text("_class_name", null);
    if (AUTOENCODER_KL.equals(className)) {
      return autoencoderKl(r);
    }
    if (AUTOENCODER_TINY.equals(className)) {
      return autoencoderTiny(r);
    }
    throw r.refuse(
        "_class_name",
        className,
        "AutoencoderKL or AutoencoderTiny (the VAE classes the job has decode graphs for)");
  }

  private static DiffusersConfig autoencoderKl(Reader r) {
    r.require("act_fn", "silu", "silu (the activation of the AutoencoderKL graph)");
    List<Integer> channels = r.ints("block_out_channels", List.of(64));
    List<String> upBlocks = r.texts("up_block_types", null);
    if (upBlocks != null) {
      if (upBlocks.size() != channels.size()) {
        throw r.refuse(
            "up_block_types",
            upBlocks,
            "one UpDecoderBlock2D per block_out_channels entry (" + channels.size() + ")");
      }
      for (int i = 0; i < upBlocks.size(); i++) {
        if (!upBlocks.get(i).equals("UpDecoderBlock2D")) {
          throw r.refuse(
              "up_block_types[" + i + "]",
              upBlocks.get(i),
              "UpDecoderBlock2D (the block type implemented)");
        }
      }
    }
    r.require("out_channels", 3, "3 (RGB)");
    r.require("norm_type", "group", "group");
    int latentChannels = r.integer("latent_channels", 4);
    AutoencoderKlArchitecture architecture;
    try {
      architecture =
          new AutoencoderKlArchitecture(
              latentChannels,
              channels,
              r.integer("layers_per_block", 1),
              r.integer("norm_num_groups", 32),
              r.bool("use_post_quant_conv", true),
              r.bool("mid_block_add_attention", true));
    } catch (IllegalArgumentException e) {
      throw new JobSetupException("Cannot run: " + r.uri + ": " + e.getMessage());
    }
    return new DiffusersConfig(
        AUTOENCODER_KL,
        architecture,
        r.convention(latentChannels, 0.18215, OutputRange.MINUS_ONE_TO_ONE),
        r.bool("force_upcast", true));
  }

  private static DiffusersConfig autoencoderTiny(Reader r) {
    r.require("act_fn", "relu", "relu (the activation of the TAESD graph)");
    r.require("upsampling_scaling_factor", 2, "2");
    r.requireInts("num_decoder_blocks", List.of(3, 3, 3, 1), "[3, 3, 3, 1] (TAESD's layers)");
    List<Integer> widths = r.ints("decoder_block_out_channels", List.of(64, 64, 64, 64));
    if (widths.size() != 4 || widths.stream().distinct().count() != 1) {
      throw r.refuse(
          "decoder_block_out_channels",
          widths,
          "four equal widths (TAESD's layers, e.g. [64, 64, 64, 64])");
    }
    int latentChannels = r.integer("latent_channels", 4);
    return new DiffusersConfig(
        AUTOENCODER_TINY,
        null,
        r.convention(latentChannels, 1.0, OutputRange.ZERO_TO_ONE),
        r.bool("force_upcast", false));
  }

  /** Typed reads of a config's keys; every refusal names the file, the key and the value. */
  private static final class Reader {
    private final JsonNode json;
    private final String uri;

    Reader(JsonNode json, String uri) {
      this.json = json;
      this.uri = uri;
    }

    JsonNode node(String key) {
      JsonNode n = json.get(key);
      return n == null || n.isNull() ? null : n;
    }

    String text(String key, String fallback) {
      JsonNode n = node(key);
      if (n == null) {
        return fallback;
      }
      if (!n.isTextual()) {
        throw refuse(key, n, "a string");
      }
      return n.asText();
    }

    int integer(String key, int fallback) {
      JsonNode n = node(key);
      if (n == null) {
        return fallback;
      }
      if (!n.canConvertToInt() || !n.isIntegralNumber()) {
        throw refuse(key, n, "a whole number");
      }
      return n.asInt();
    }

    double number(String key, double fallback) {
      JsonNode n = node(key);
      if (n == null) {
        return fallback;
      }
      if (!n.isNumber()) {
        throw refuse(key, n, "a number");
      }
      return n.asDouble();
    }

    boolean bool(String key, boolean fallback) {
      JsonNode n = node(key);
      if (n == null) {
        return fallback;
      }
      if (!n.isBoolean()) {
        throw refuse(key, n, "true or false");
      }
      return n.asBoolean();
    }

    List<Integer> ints(String key, List<Integer> fallback) {
      JsonNode n = node(key);
      if (n == null) {
        return fallback;
      }
      List<Integer> out = new ArrayList<>();
      if (n.isArray()) {
        for (JsonNode v : n) {
          if (!v.isIntegralNumber()) {
            throw refuse(key, n, "a list of whole numbers");
          }
          out.add(v.asInt());
        }
        return out;
      }
      throw refuse(key, n, "a list of whole numbers");
    }

    List<Double> doubles(String key) {
      JsonNode n = node(key);
      List<Double> out = new ArrayList<>();
      if (n == null) {
        return out;
      }
      if (!n.isArray()) {
        throw refuse(key, n, "a list of numbers, one per latent channel, or null");
      }
      for (JsonNode v : n) {
        if (!v.isNumber()) {
          throw refuse(key, n, "a list of numbers, one per latent channel, or null");
        }
        out.add(v.asDouble());
      }
      return out;
    }

    List<String> texts(String key, List<String> fallback) {
      JsonNode n = node(key);
      if (n == null) {
        return fallback;
      }
      List<String> out = new ArrayList<>();
      if (!n.isArray()) {
        throw refuse(key, n, "a list of block type names");
      }
      n.forEach(v -> out.add(v.asText()));
      return out;
    }

    void require(String key, Object expected, String what) {
      JsonNode n = node(key);
      if (n == null) {
        return;
      }
      boolean same =
          expected instanceof Integer i
              ? n.isIntegralNumber() && n.asInt() == i
              : n.isTextual() && n.asText().equals(expected);
      if (!same) {
        throw refuse(key, n, what);
      }
    }

    void requireInts(String key, List<Integer> expected, String what) {
      List<Integer> found = ints(key, expected);
      if (!found.equals(expected)) {
        throw refuse(key, found, what);
      }
    }

    LatentConvention convention(int channels, double defaultScaling, OutputRange range) {
      List<Double> mean = doubles("latents_mean");
      List<Double> std = doubles("latents_std");
      try {
        return new LatentConvention(
            CONVENTION_NAME,
            number("scaling_factor", defaultScaling),
            number("shift_factor", 0.0),
            mean,
            std,
            channels,
            range);
      } catch (IllegalArgumentException e) {
        throw new JobSetupException("Cannot run: " + uri + ": " + e.getMessage());
      }
    }

    JobSetupException refuse(String key, Object found, String expected) {
      return new JobSetupException(
          "Cannot run: "
              + uri
              + ": "
              + key
              + " is "
              + (found == null ? "missing" : found instanceof String t ? "\"" + t + "\"" : found)
              + "; expected "
              + expected
              + ". Check --model (it must be a diffusers VAE folder)");
    }
  }
}
