package io.latentdecode.udf.contract;

import java.util.Locale;

/**
 * Where the user asked the decoder to run. {@code AUTO} takes the GPU Spark assigned to the task,
 * if any.
 */
public enum DeviceRequest {
  AUTO,
  CPU,
  GPU;

  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static DeviceRequest parse(String text) {
    for (DeviceRequest d : values()) {
      if (d.text().equalsIgnoreCase(text)) {
        return d;
      }
    }
    throw new IllegalArgumentException("Invalid device '" + text + "': expected auto, cpu or gpu");
  }
}
