package io.latentdecode.job.config;

import static java.util.Objects.requireNonNull;

import io.latentdecode.udf.contract.LatentConvention;
import io.latentdecode.udf.contract.OutputRange;
import java.util.Optional;

/**
 * The decode conventions a run was given on its command line: a preset, and flags that override
 * single values (null when not given). What the model's own config says fills in the rest.
 */
public record ConventionFlags(
    Optional<String> preset, Double scalingFactor, Double shiftFactor, OutputRange outputRange) {

  public ConventionFlags {
    requireNonNull(preset, "preset is null");
  }

  /** Every value fixed by the caller (no preset): what programmatic runs pass. */
  public static ConventionFlags explicit(LatentConvention c) {
    return new ConventionFlags(
        Optional.empty(), c.scalingFactor(), c.shiftFactor(), c.outputRange());
  }
}
