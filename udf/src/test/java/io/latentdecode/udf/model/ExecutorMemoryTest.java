package io.latentdecode.udf.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The CPU decode budget follows what Spark gives the executor: the memory overhead where YARN or
 * Kubernetes enforce the container's size, half of the available memory everywhere.
 */
class ExecutorMemoryTest {
  private static final long GIB = 1L << 30;
  private static final long MIB = 1L << 20;

  @Test
  void localModeHasHalfOfTheAvailableMemory() {
    ExecutorMemory local =
        ExecutorMemory.of(
            Map.of("spark.master", "local[2]", "spark.executor.memoryOverhead", "1m"));

    assertThat(local.containerEnforced()).isFalse();
    assertThat(local.cpuBudget(16 * GIB, 3 * GIB, 1 * GIB)).isEqualTo(8 * GIB);
  }

  @Test
  void onYarnTheOverheadLessWhatIsAlreadyOutsideTheHeapBounds() {
    ExecutorMemory yarn =
        ExecutorMemory.of(
            Map.of(
                "spark.master", "yarn",
                "spark.executor.memory", "4g",
                "spark.executor.memoryOverhead", "2g"));

    assertThat(yarn.overhead()).isEqualTo(2 * GIB);
    // 3 GiB resident, 2 GiB of it heap: 1 GiB of the overhead is used, 80% of the rest is the
    // budget
    assertThat(yarn.cpuBudget(64 * GIB, 3 * GIB, 2 * GIB)).isEqualTo((long) (0.8 * GIB));
    assertThat(yarn.boundingSetting()).isEqualTo("spark.executor.memoryOverhead (2048m)");
  }

  @Test
  void onKubernetesTheOverheadDefaultsToTheFactorOfTheExecutorMemory() {
    ExecutorMemory k8s =
        ExecutorMemory.of(
            Map.of(
                "spark.master", "k8s://https://cluster:6443",
                "spark.executor.memory", "8g",
                "spark.executor.memoryOverheadFactor", "0.25"));

    assertThat(k8s.containerEnforced()).isTrue();
    assertThat(k8s.overhead()).isEqualTo(2 * GIB);
    assertThat(k8s.cpuBudget(64 * GIB, 2 * GIB, 2 * GIB)).isEqualTo((long) (0.8 * 2 * GIB));
    assertThat(k8s.boundingSetting())
        .contains("spark.executor.memoryOverhead (not set: 2048m")
        .contains("spark.executor.memoryOverheadFactor 0.25");
  }

  @Test
  void aSmallExecutorGetsSparksMinimumOverhead() {
    ExecutorMemory small = ExecutorMemory.of(Map.of("spark.master", "yarn"));

    assertThat(small.overhead()).isEqualTo(384 * MIB);
  }

  @Test
  void anOverheadAlreadyUsedUpLeavesNothing() {
    ExecutorMemory yarn =
        ExecutorMemory.of(Map.of("spark.master", "yarn", "spark.executor.memoryOverhead", "512m"));

    assertThat(yarn.cpuBudget(64 * GIB, 3 * GIB, 2 * GIB)).isZero();
  }

  @Test
  void theAvailableMemoryStillBoundsAContainer() {
    ExecutorMemory yarn =
        ExecutorMemory.of(Map.of("spark.master", "yarn", "spark.executor.memoryOverhead", "32g"));

    assertThat(yarn.cpuBudget(4 * GIB, 1 * GIB, 1 * GIB)).isEqualTo(2 * GIB);
  }
}
