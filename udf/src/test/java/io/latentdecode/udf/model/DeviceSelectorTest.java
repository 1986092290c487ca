package io.latentdecode.udf.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import io.latentdecode.udf.contract.DeviceRequest;
import java.util.Map;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

/** The device choice, with the resources Spark would assign to a task faked. */
class DeviceSelectorTest {
  private static final Map<String, ResourceInformation> GPU_3 =
      Map.of("gpu", new ResourceInformation("gpu", new String[] {"3"}));

  @Test
  void autoTakesTheGpuSparkAssignedToTheTask() {
    assertThat(DeviceSelector.choose(DeviceRequest.AUTO, GPU_3)).isEqualTo(Device.gpu(3));
  }

  @Test
  void autoFallsBackToTheCpuWithoutAnAssignedGpu() {
    assertThat(DeviceSelector.choose(DeviceRequest.AUTO, Map.of())).isEqualTo(Device.cpu());
    assertThat(DeviceSelector.choose(DeviceRequest.AUTO, null)).isEqualTo(Device.cpu());
    assertThat(
            DeviceSelector.choose(
                DeviceRequest.AUTO, Map.of("gpu", new ResourceInformation("gpu", new String[0]))))
        .isEqualTo(Device.cpu());
  }

  @Test
  void cpuIgnoresAnAssignedGpu() {
    assertThat(DeviceSelector.choose(DeviceRequest.CPU, GPU_3)).isEqualTo(Device.cpu());
  }

  @Test
  void gpuInsistsOnAnAssignedGpuAndSaysHowToGetOne() {
    assertThat(DeviceSelector.choose(DeviceRequest.GPU, GPU_3)).isEqualTo(Device.gpu(3));
    assertThatThrownBy(() -> DeviceSelector.choose(DeviceRequest.GPU, Map.of()))
        .hasMessageContaining("spark.task.resource.gpu.amount");
    assertThatThrownBy(
            () ->
                DeviceSelector.choose(
                    DeviceRequest.GPU,
                    Map.of("gpu", new ResourceInformation("gpu", new String[] {"GPU-uuid"}))))
        .hasMessageContaining("'GPU-uuid'");
  }
}
