package io.latentdecode.job.config;

import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.contract.LatentConvention;
import io.latentdecode.udf.contract.OutputRange;
import java.util.Optional;

/** The run's decode conventions: the preset's, with any explicitly given flag taking precedence. */
public final class LatentConventions {
  private LatentConventions() {}

  public static LatentConvention resolve(
      Optional<String> preset, Double scalingFactor, Double shiftFactor, OutputRange outputRange) {
    LatentConvention base =
        preset
            .map(Presets::load)
            .orElse(
                LatentConvention.plain(
                    DecodeSettings.SCALING_FACTOR_DEFAULT,
                    DecodeSettings.SHIFT_FACTOR_DEFAULT,
                    DecodeSettings.OUTPUT_RANGE_DEFAULT));
    return new LatentConvention(
        base.name(),
        scalingFactor != null ? scalingFactor : base.scalingFactor(),
        shiftFactor != null ? shiftFactor : base.shiftFactor(),
        base.latentsMean(),
        base.latentsStd(),
        base.latentChannels(),
        outputRange != null ? outputRange : base.outputRange());
  }
}
