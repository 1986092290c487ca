package io.latentdecode.udf.contract;

import java.util.Locale;

/**
 * The floating-point type the decoder's forward pass runs in; pre/postprocessing stay float32.
 * {@link #AUTO} is float32 on the CPU and bfloat16 on a GPU when the bfloat16 export of the decoder
 * exists (else float32).
 */
public enum Precision {
  AUTO,
  FP32,
  FP16,
  BF16;

  public static final Precision DEFAULT = AUTO;

  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean isHalf() {
    return this == FP16 || this == BF16;
  }

  /** What a task runs: AUTO resolved for its device and whether a half-precision export exists. */
  public Precision resolve(boolean onGpu, boolean halfExportFound) {
    if (this != AUTO) {
      return this;
    }
    return onGpu && halfExportFound ? BF16 : FP32;
  }

  public static Precision parse(String text) {
    for (Precision p : values()) {
      if (p.text().equalsIgnoreCase(text)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "Invalid precision '" + text + "': expected auto, fp32, fp16 or bf16");
  }
}
