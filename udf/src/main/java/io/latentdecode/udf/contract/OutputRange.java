package io.latentdecode.udf.contract;

/**
 * The value range a decoder's output is in: Stable Diffusion VAEs give [-1, 1], the TAESD family
 * [0, 1].
 */
public enum OutputRange {
  MINUS_ONE_TO_ONE("-1,1"),
  ZERO_TO_ONE("0,1");

  private final String text;

  OutputRange(String text) {
    this.text = text;
  }

  /** The spelling used on the command line and in reports. */
  public String text() {
    return text;
  }

  public static OutputRange parse(String text) {
    String t = text.replace(" ", "");
    for (OutputRange range : values()) {
      if (range.text.equals(t)) {
        return range;
      }
    }
    throw new IllegalArgumentException(
        "Invalid output range '"
            + text
            + "': expected '-1,1' (Stable Diffusion VAEs) or '0,1' (TAESD family)");
  }
}
