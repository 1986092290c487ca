package io.latentdecode.udf.contract;

import java.io.Serializable;

/**
 * How much of an executor's device a run's tasks may take. Neither changes pixels.
 *
 * @param decodesPerDevice forward passes that may run at once on one device of an executor ({@code
 *     --decodes-per-device}), or 0 for the default: 1 on a GPU, on the CPU the executor's cores
 *     divided by PyTorch's intra-op threads
 * @param memoryBudgetBytes memory one forward pass may use ({@code --memory-budget-mb}), or 0 for a
 *     share of what the device has free
 */
public record DeviceLimits(int decodesPerDevice, long memoryBudgetBytes) implements Serializable {
  public static final DeviceLimits DEFAULT = new DeviceLimits(0, 0);

  public DeviceLimits {
    if (decodesPerDevice < 0) {
      throw new IllegalArgumentException(
          "Invalid --decodes-per-device " + decodesPerDevice + ": must be auto or at least 1");
    }
    if (memoryBudgetBytes < 0) {
      throw new IllegalArgumentException("Invalid --memory-budget-mb: must be auto or at least 1");
    }
  }
}
