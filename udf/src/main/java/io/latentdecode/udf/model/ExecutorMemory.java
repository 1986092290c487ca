package io.latentdecode.udf.model;

import java.util.Locale;
import java.util.Map;
import org.apache.spark.network.util.JavaUtils;

/**
 * The native memory a CPU executor's decodes may use, from what Spark gives the executor. Where a
 * cluster manager enforces the container's size (YARN, Kubernetes) the process may hold its heap
 * plus {@code spark.executor.memoryOverhead} (or {@code memoryOverheadFactor} x {@code
 * spark.executor.memory}, at least {@code spark.executor.minMemoryOverhead}); libtorch's memory
 * counts against that overhead, minus what the JVM and libtorch already hold outside the heap.
 * Everywhere, the machine's (or the cgroup's) available memory bounds it too; local mode and
 * standalone clusters have only that bound.
 *
 * @param master {@code spark.master}
 * @param executorMemoryBytes {@code spark.executor.memory}
 * @param overheadBytes {@code spark.executor.memoryOverhead}, or -1 when not set
 * @param overheadFactor {@code spark.executor.memoryOverheadFactor}
 * @param minOverheadBytes {@code spark.executor.minMemoryOverhead}
 */
public record ExecutorMemory(
    String master,
    long executorMemoryBytes,
    long overheadBytes,
    double overheadFactor,
    long minOverheadBytes) {
  /** Of the memory left to decodes, the part they may use: the rest is headroom for the others. */
  static final double AVAILABLE_FRACTION = 0.5;

  static final double OVERHEAD_FRACTION = 0.8;

  private static final long MIB = 1024 * 1024;

  /** The executor's settings from a Spark configuration's entries, with Spark's defaults. */
  public static ExecutorMemory of(Map<String, String> conf) {
    String overhead = conf.get("spark.executor.memoryOverhead");
    return new ExecutorMemory(
        conf.getOrDefault("spark.master", "local[*]"),
        mebibytes(conf.getOrDefault("spark.executor.memory", "1g")),
        overhead == null ? -1 : mebibytes(overhead),
        Double.parseDouble(conf.getOrDefault("spark.executor.memoryOverheadFactor", "0.10")),
        mebibytes(conf.getOrDefault("spark.executor.minMemoryOverhead", "384m")));
  }

  private static long mebibytes(String size) {
    return JavaUtils.byteStringAsMb(size.trim()) * MIB;
  }

  /** Whether the cluster manager kills an executor that outgrows heap plus overhead. */
  public boolean containerEnforced() {
    String m = master.toLowerCase(Locale.ROOT);
    return m.startsWith("yarn") || m.startsWith("k8s://");
  }

  /** {@code spark.executor.memoryOverhead} as Spark computes it. */
  public long overhead() {
    if (overheadBytes >= 0) {
      return overheadBytes;
    }
    return Math.max(minOverheadBytes, (long) (overheadFactor * executorMemoryBytes));
  }

  /**
   * Bytes all decodes of the executor may use at once on the CPU.
   *
   * @param availableBytes what the machine or the cgroup has available now
   * @param residentBytes the process's resident memory now
   * @param heapCommittedBytes the Java heap committed now (the part of resident memory Spark's
   *     {@code spark.executor.memory} pays for)
   */
  public long cpuBudget(long availableBytes, long residentBytes, long heapCommittedBytes) {
    long budget = (long) (availableBytes * AVAILABLE_FRACTION);
    if (containerEnforced()) {
      long outsideHeap = Math.max(0, residentBytes - heapCommittedBytes);
      long overheadLeft = Math.max(0, overhead() - outsideHeap);
      budget = Math.min(budget, (long) (overheadLeft * OVERHEAD_FRACTION));
    }
    return Math.max(0, budget);
  }

  /** Which setting bounds the budget, for messages: the one to raise. */
  public String boundingSetting() {
    if (!containerEnforced()) {
      return "the machine's available memory (or --memory-budget-mb)";
    }
    return overheadBytes >= 0
        ? "spark.executor.memoryOverhead (" + (overheadBytes / MIB) + "m)"
        : "spark.executor.memoryOverhead (not set: "
            + (overhead() / MIB)
            + "m from spark.executor.memoryOverheadFactor "
            + overheadFactor
            + " x spark.executor.memory)";
  }
}
