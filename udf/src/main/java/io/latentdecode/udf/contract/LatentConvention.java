package io.latentdecode.udf.contract;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;
import java.util.List;

/**
 * The decode conventions of one VAE family, as a preset names them: {@code z = latent * std /
 * scalingFactor + mean + shiftFactor} per channel ({@code std} = 1 and {@code mean} = 0 when the
 * model's config gives none), the channel count its decoder takes, and the range its output is in.
 *
 * @param name the preset's name, or {@code custom} for hand-given factors
 * @param latentChannels the channel count latents must have, or 0 to accept any
 * @param latentsMean per-channel means, or empty
 * @param latentsStd per-channel standard deviations, or empty (given together with the means)
 */
public record LatentConvention(
    String name,
    double scalingFactor,
    double shiftFactor,
    List<Double> latentsMean,
    List<Double> latentsStd,
    int latentChannels,
    OutputRange outputRange)
    implements Serializable {

  public static final String CUSTOM = "custom";

  public LatentConvention {
    requireNonNull(name, "name is null");
    requireNonNull(outputRange, "outputRange is null");
    latentsMean = List.copyOf(latentsMean);
    latentsStd = List.copyOf(latentsStd);
    if (!(Double.isFinite(scalingFactor) && scalingFactor != 0)) {
      throw new IllegalArgumentException(
          "Invalid --scaling-factor " + scalingFactor + ": must be a finite, non-zero number");
    }
    if (!Double.isFinite(shiftFactor)) {
      throw new IllegalArgumentException(
          "Invalid --shift-factor " + shiftFactor + ": must be finite");
    }
    if (latentChannels < 0) {
      throw new IllegalArgumentException(
          "Invalid latent channel count " + latentChannels + ": must be positive (or 0 for any)");
    }
    if (latentsMean.size() != latentsStd.size()) {
      throw new IllegalArgumentException(
          "Invalid latents_mean/latents_std: "
              + latentsMean.size()
              + " means but "
              + latentsStd.size()
              + " standard deviations; give both with one value per channel, or neither");
    }
    if (!latentsMean.isEmpty() && latentChannels != 0 && latentsMean.size() != latentChannels) {
      throw new IllegalArgumentException(
          "Invalid latents_mean/latents_std: "
              + latentsMean.size()
              + " values for "
              + latentChannels
              + " latent channels; give one per channel");
    }
    for (double v : latentsStd) {
      if (!(Double.isFinite(v) && v != 0)) {
        throw new IllegalArgumentException(
            "Invalid latents_std value " + v + ": every value must be finite and non-zero");
      }
    }
    for (double v : latentsMean) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException(
            "Invalid latents_mean value " + v + ": every value must be finite");
      }
    }
  }

  /** Plain factors without per-channel statistics, accepting any channel count. */
  public static LatentConvention plain(
      double scalingFactor, double shiftFactor, OutputRange outputRange) {
    return new LatentConvention(
        CUSTOM, scalingFactor, shiftFactor, List.of(), List.of(), 0, outputRange);
  }

  public boolean hasChannelStatistics() {
    return !latentsMean.isEmpty();
  }

  /** Per-channel multiplier {@code std / scaling}; for {@code channels} channels. */
  public float[] channelScale(int channels) {
    float[] scale = new float[channels];
    for (int c = 0; c < channels; c++) {
      scale[c] = (float) (latentsStd.get(c) / scalingFactor);
    }
    return scale;
  }

  /** Per-channel offset {@code mean + shift}; for {@code channels} channels. */
  public float[] channelOffset(int channels) {
    float[] offset = new float[channels];
    for (int c = 0; c < channels; c++) {
      offset[c] = (float) (latentsMean.get(c) + shiftFactor);
    }
    return offset;
  }

  /** The channel count a latent must have under these conventions (0 = any). */
  public int requiredChannels() {
    return latentChannels != 0 ? latentChannels : latentsMean.size();
  }
}
