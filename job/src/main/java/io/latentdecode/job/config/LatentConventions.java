package io.latentdecode.job.config;

import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.contract.LatentConvention;
import io.latentdecode.udf.contract.OutputRange;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The run's decode conventions. Precedence, highest first: an explicitly given flag, the preset,
 * the model's own conventions (its config.json), the defaults ({@code scaling 1, shift 0, -1,1}).
 */
public final class LatentConventions {
  private LatentConventions() {}

  /**
   * The conventions and, per value, where it came from ({@code --scaling-factor}, {@code preset
   * sdxl}, the model's config file, {@code default}).
   */
  public record Resolved(LatentConvention convention, Map<String, String> sources) {}

  public static LatentConvention resolve(
      Optional<String> preset, Double scalingFactor, Double shiftFactor, OutputRange outputRange) {
    return resolve(new ConventionFlags(preset, scalingFactor, shiftFactor, outputRange), null, null)
        .convention();
  }

  /**
   * @param model the model's own conventions, or null
   * @param modelSource how the report names where {@code model} came from
   */
  public static Resolved resolve(
      ConventionFlags flags, LatentConvention model, String modelSource) {
    LatentConvention base;
    String baseSource;
    if (flags.preset().isPresent()) {
      base = Presets.load(flags.preset().get());
      baseSource = "preset " + flags.preset().get();
    } else if (model != null) {
      base = model;
      baseSource = modelSource;
    } else {
      base =
          LatentConvention.plain(
              DecodeSettings.SCALING_FACTOR_DEFAULT,
              DecodeSettings.SHIFT_FACTOR_DEFAULT,
              DecodeSettings.OUTPUT_RANGE_DEFAULT);
      baseSource = "default";
    }
    Map<String, String> sources = new LinkedHashMap<>();
    int channels = base.latentChannels();
    String channelSource = baseSource;
    if (channels == 0 && model != null) {
      channels = model.requiredChannels();
      channelSource = modelSource;
    }
    sources.put("scaling_factor", flags.scalingFactor() != null ? "--scaling-factor" : baseSource);
    sources.put("shift_factor", flags.shiftFactor() != null ? "--shift-factor" : baseSource);
    sources.put("latents_mean_std", baseSource);
    sources.put("latent_channels", channels == 0 ? "any" : channelSource);
    sources.put("output_range", flags.outputRange() != null ? "--output-range" : baseSource);
    LatentConvention convention =
        new LatentConvention(
            base.name(),
            flags.scalingFactor() != null ? flags.scalingFactor() : base.scalingFactor(),
            flags.shiftFactor() != null ? flags.shiftFactor() : base.shiftFactor(),
            base.latentsMean(),
            base.latentsStd(),
            channels,
            flags.outputRange() != null ? flags.outputRange() : base.outputRange());
    return new Resolved(convention, sources);
  }
}
