package io.latentdecode.udf.graph;

import static java.util.Objects.requireNonNull;

import io.latentdecode.udf.contract.Precision;
import java.io.Serializable;

/**
 * A decoder run from its safetensors weights through one of the job's own decode graphs: which
 * graph and architecture, how the file names its tensors, and the precision the forward runs in
 * (the weights are cast once on the device; no second file is needed for half precision).
 */
public record DirectDecoder(
    DecoderArchitecture architecture, WeightLayout layout, Precision precision)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  public DirectDecoder {
    requireNonNull(architecture, "architecture is null");
    requireNonNull(layout, "layout is null");
    requireNonNull(precision, "precision is null");
    if (precision == Precision.AUTO) {
      throw new IllegalArgumentException("a direct decoder runs in a resolved precision, not auto");
    }
  }

  public DirectDecoder withPrecision(Precision p) {
    return new DirectDecoder(architecture, layout, p);
  }

  /** Tells loaded decoders of the same weights apart. */
  public String key() {
    return architecture.graph() + architecture.parameters() + "/" + layout + "/" + precision.text();
  }
}
