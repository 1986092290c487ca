package io.latentdecode.udf.contract;

import java.util.Locale;

/** The floating-point type the decoder's forward pass runs in; pre/postprocessing stay float32. */
public enum Precision {
  FP32,
  FP16,
  BF16;

  public static final Precision DEFAULT = FP32;

  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean isHalf() {
    return this != FP32;
  }

  public static Precision parse(String text) {
    for (Precision p : values()) {
      if (p.text().equalsIgnoreCase(text)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "Invalid precision '" + text + "': expected fp32, fp16 or bf16");
  }
}
