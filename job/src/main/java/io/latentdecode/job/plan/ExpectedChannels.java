package io.latentdecode.job.plan;

/**
 * The latent channel count the driver's model check decodes a tiny latent with, and where it came
 * from: the run's conventions (a preset, or per-channel statistics), whose count a model must take
 * or the run stops, or, where they name none, the input's first latent, only a hint (that file may
 * be a bad row, which the tasks quarantine). Unknown (0) skips the tiny decode.
 */
public record ExpectedChannels(int count, String source, String advice, boolean binding) {
  public static final ExpectedChannels UNKNOWN = new ExpectedChannels(0, "", "", false);

  public static ExpectedChannels ofConventions(int count) {
    return count <= 0
        ? UNKNOWN
        : new ExpectedChannels(
            count,
            "the preset's channel count",
            "Is it the decoder for this preset? Check --model and --preset",
            true);
  }

  public static ExpectedChannels ofInput(int count, String file) {
    return count <= 0
        ? UNKNOWN
        : new ExpectedChannels(
            count,
            "the channel count of the input's first latent, " + file,
            "Is it the decoder for these latents? Check --model and --input",
            false);
  }

  /** These conventions' count where they name one, else {@code input}'s. */
  public ExpectedChannels or(ExpectedChannels input) {
    return count > 0 ? this : input;
  }

  public boolean known() {
    return count > 0;
  }
}
