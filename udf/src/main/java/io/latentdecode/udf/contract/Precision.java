package io.latentdecode.udf.contract;

import java.util.Locale;

/**
 * The floating-point type the decoder's forward pass runs in; pre/postprocessing stay float32.
 * {@link #AUTO} is float32 on the CPU; on a GPU the decoder's half precision (a TorchScript
 * decoder's bfloat16 export when it exists; for weights run directly bfloat16, or float16 when the
 * model's config says it does not overflow there), else float32.
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

  /**
   * What a task runs: AUTO resolved for its device and the half precision the run's decoder has
   * (null when none).
   */
  public Precision resolve(boolean onGpu, Precision halfAvailable) {
    if (this != AUTO) {
      return this;
    }
    return onGpu && halfAvailable != null ? halfAvailable : FP32;
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
