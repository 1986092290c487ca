package io.latentdecode.udf.model;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;
import java.io.IOException;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Memory a device has free for decoding now: on a GPU the free device memory; on the CPU the
 * machine's available memory ({@code MemAvailable}), or what the container's cgroup limit leaves,
 * whichever is smaller (in a container {@code /proc/meminfo} describes the host).
 */
public final class DeviceMemory {
  private static final Path MEMINFO = Path.of("/proc/meminfo");
  private static final Path CGROUP_MAX = Path.of("/sys/fs/cgroup/memory.max");
  private static final Path CGROUP_CURRENT = Path.of("/sys/fs/cgroup/memory.current");

  private DeviceMemory() {}

  public static long freeBytes(Device device) {
    if (device.isGpu()) {
      MemoryUsage gpu = CudaUtils.getGpuMemory(device);
      return gpu.getMax() - gpu.getUsed();
    }
    try {
      return Math.min(memAvailable(), cgroupHeadroom());
    } catch (IOException | RuntimeException e) {
      return Runtime.getRuntime().maxMemory();
    }
  }

  /** Bytes in use on a GPU (what its caching allocator holds included). */
  public static long gpuUsedBytes(Device device) {
    return CudaUtils.getGpuMemory(device).getUsed();
  }

  private static long memAvailable() throws IOException {
    if (Files.isReadable(MEMINFO)) {
      for (String line : Files.readAllLines(MEMINFO)) {
        if (line.startsWith("MemAvailable:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    }
    return Runtime.getRuntime().maxMemory();
  }

  private static long cgroupHeadroom() throws IOException {
    if (!Files.isReadable(CGROUP_MAX) || !Files.isReadable(CGROUP_CURRENT)) {
      return Long.MAX_VALUE;
    }
    String max = Files.readString(CGROUP_MAX).trim();
    if (max.equals("max")) {
      return Long.MAX_VALUE;
    }
    return Long.parseLong(max) - Long.parseLong(Files.readString(CGROUP_CURRENT).trim());
  }
}
