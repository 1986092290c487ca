package io.latentdecode.job.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.udf.contract.DeviceRequest;
import org.junit.jupiter.api.Test;

/**
 * The driver keeps the model it checked loaded for the run's tasks only where they decode with that
 * very copy: in its own JVM, on the CPU.
 */
class CheckedModelTest {
  @Test
  void tasksDecodeWithTheDriversModelOnlyInItsOwnJvmOnTheCpu() {
    assertThat(CheckedModel.tasksDecodeHereOnCpu("local", DeviceRequest.AUTO, false)).isTrue();
    assertThat(CheckedModel.tasksDecodeHereOnCpu("local[*]", DeviceRequest.CPU, false)).isTrue();
    assertThat(CheckedModel.tasksDecodeHereOnCpu("local[2,3]", DeviceRequest.AUTO, false)).isTrue();

    // executors of their own: the driver's copy would only take memory
    assertThat(
            CheckedModel.tasksDecodeHereOnCpu("local-cluster[2,1,1024]", DeviceRequest.AUTO, false))
        .isFalse();
    assertThat(CheckedModel.tasksDecodeHereOnCpu("yarn", DeviceRequest.CPU, false)).isFalse();
    assertThat(
            CheckedModel.tasksDecodeHereOnCpu(
                "k8s://https://example:6443", DeviceRequest.AUTO, false))
        .isFalse();

    // tasks that decode on a GPU load their own copy there
    assertThat(CheckedModel.tasksDecodeHereOnCpu("local[2]", DeviceRequest.GPU, false)).isFalse();
    assertThat(CheckedModel.tasksDecodeHereOnCpu("local[2]", DeviceRequest.AUTO, true)).isFalse();
  }
}
