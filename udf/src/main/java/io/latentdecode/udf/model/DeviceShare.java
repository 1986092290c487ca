package io.latentdecode.udf.model;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;

/**
 * One task's share of its executor's device: the turns it takes on the device with the other tasks
 * of the JVM, and the memory one of its forward passes may use.
 *
 * @param device the device
 * @param admission the device's turns, shared by the JVM's tasks
 * @param configuredBudgetBytes the memory per decode the run asked for ({@code
 *     --memory-budget-mb}), or 0 to take a share of what the device has free
 */
public record DeviceShare(Device device, DeviceAdmission admission, long configuredBudgetBytes) {
  /** Of the free memory, the part decodes may use: the rest is headroom for everything else. */
  static final double CPU_FRACTION = 0.5;

  static final double GPU_FRACTION = 0.8;

  public DeviceShare {
    requireNonNull(device, "device is null");
    requireNonNull(admission, "admission is null");
  }

  /** A device used by one caller alone, with a budget taken from what it has free. */
  public static DeviceShare unshared(Device device) {
    return new DeviceShare(device, DeviceAdmission.unshared(), 0);
  }

  /**
   * Bytes one forward pass may use: the configured budget, else a fraction of the device's free
   * memory divided among the decodes the device admits at once.
   */
  public long budgetBytes() {
    if (configuredBudgetBytes > 0) {
      return configuredBudgetBytes;
    }
    double fraction = device.isGpu() ? GPU_FRACTION : CPU_FRACTION;
    return (long) (DeviceMemory.freeBytes(device) * fraction / admission.permits());
  }
}
