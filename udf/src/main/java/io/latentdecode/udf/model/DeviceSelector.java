package io.latentdecode.udf.model;

import ai.djl.Device;
import io.latentdecode.udf.contract.DeviceRequest;
import java.util.Map;
import org.apache.spark.resource.ResourceInformation;

/**
 * Picks the device a task decodes on. {@code auto} takes the first GPU address Spark assigned to
 * the task ({@code spark.task.resource.gpu.amount}), else the CPU; {@code gpu} insists on an
 * assigned GPU.
 */
public final class DeviceSelector {
  public static final String GPU_RESOURCE = "gpu";

  private DeviceSelector() {}

  public static Device choose(
      DeviceRequest request, Map<String, ResourceInformation> taskResources) {
    String gpu = firstGpuAddress(taskResources);
    return switch (request) {
      case CPU -> Device.cpu();
      case AUTO -> gpu == null ? Device.cpu() : Device.gpu(parseAddress(gpu));
      case GPU -> {
        if (gpu == null) {
          throw new IllegalStateException(
              "Cannot decode on --device gpu: Spark assigned no GPU to this task; set"
                  + " spark.executor.resource.gpu.amount and spark.task.resource.gpu.amount, or use --device auto");
        }
        yield Device.gpu(parseAddress(gpu));
      }
    };
  }

  private static String firstGpuAddress(Map<String, ResourceInformation> resources) {
    if (resources == null) {
      return null;
    }
    ResourceInformation info = resources.get(GPU_RESOURCE);
    if (info == null || info.addresses().length == 0) {
      return null;
    }
    return info.addresses()[0];
  }

  private static int parseAddress(String address) {
    try {
      return Integer.parseInt(address.trim());
    } catch (NumberFormatException e) {
      throw new IllegalStateException(
          "Cannot use GPU address '"
              + address
              + "' from Spark's resource discovery: expected a CUDA device index",
          e);
    }
  }
}
