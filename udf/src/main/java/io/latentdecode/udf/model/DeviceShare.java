package io.latentdecode.udf.model;

import static java.util.Objects.requireNonNull;

import ai.djl.Device;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.SparkEnv;

/**
 * One task's share of its executor's device: the device's decode service, shared with the other
 * tasks of the JVM, and the memory one of its forward passes may use.
 *
 * @param device the device
 * @param service the device's decode service, shared by the JVM's tasks
 * @param configuredBudgetBytes the memory per decode the run asked for ({@code
 *     --memory-budget-mb}), or 0 to take a share of what the device has free
 */
public record DeviceShare(Device device, DecodeService service, long configuredBudgetBytes) {
  /** Of the free GPU memory, the part decodes may use: the rest is headroom for everything else. */
  static final double GPU_FRACTION = 0.8;

  public DeviceShare {
    requireNonNull(device, "device is null");
    requireNonNull(service, "service is null");
  }

  /** A device used by one caller alone, with a budget taken from what it has free. */
  public static DeviceShare unshared(Device device) {
    return new DeviceShare(device, DecodeService.unshared(device), 0);
  }

  /**
   * Bytes one forward pass may use: the configured budget, else the device's share divided among
   * the service's workers (the forwards that run on it at once). On a GPU the share is a fraction
   * of its free memory; on the CPU it is what {@link ExecutorMemory} allows (the container's memory
   * overhead where YARN or Kubernetes enforce it, and half of the available memory).
   */
  public long budgetBytes() {
    if (configuredBudgetBytes > 0) {
      return configuredBudgetBytes;
    }
    long free = DeviceMemory.freeBytes(device);
    long share =
        device.isGpu()
            ? (long) (free * GPU_FRACTION)
            : executorMemory().cpuBudget(free, residentBytes(), Runtime.getRuntime().totalMemory());
    return share / service.workers();
  }

  /** The executor's memory settings: from Spark's configuration inside Spark, else local ones. */
  private static ExecutorMemory executorMemory() {
    SparkEnv env = SparkEnv.get();
    Map<String, String> conf = new HashMap<>();
    if (env != null) {
      for (scala.Tuple2<String, String> entry : env.conf().getAll()) {
        conf.put(entry._1(), entry._2());
      }
    }
    return ExecutorMemory.of(conf);
  }

  private static long residentBytes() {
    try {
      return ProcessMemory.supported() ? ProcessMemory.residentBytes() : 0;
    } catch (IOException e) {
      return 0;
    }
  }
}
