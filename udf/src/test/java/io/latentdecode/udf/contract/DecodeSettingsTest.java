package io.latentdecode.udf.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Pins every default of the decode settings, and what each rejects. */
class DecodeSettingsTest {
  @Test
  void defaultsAreTheStableDiffusionConventionsOnPngWithAutoDevice() {
    DecodeSettings d = DecodeSettings.defaults();
    assertThat(d.convention().scalingFactor()).isEqualTo(1.0);
    assertThat(d.convention().shiftFactor()).isEqualTo(0.0);
    assertThat(d.convention().requiredChannels()).isZero();
    assertThat(d.outputRange()).isEqualTo(OutputRange.MINUS_ONE_TO_ONE);
    assertThat(d.precision()).isEqualTo(Precision.AUTO);
    assertThat(d.tiling().mode()).isEqualTo(Tiling.Mode.OFF);
    assertThat(d.packing().declared()).isFalse();
    assertThat(d.imageFormat()).isEqualTo(ImageFormat.PNG);
    assertThat(d.batchSize()).isEqualTo(DecodeSettings.BATCH_SIZE_AUTO);
    assertThat(d.device()).isEqualTo(DeviceRequest.AUTO);
    assertThat(TaskPlan.MAX_FILE_BYTES_DEFAULT).isEqualTo(256L * 1024 * 1024);
  }

  @Test
  void theCommandLineSpellingsParse() {
    assertThat(OutputRange.parse("0,1")).isEqualTo(OutputRange.ZERO_TO_ONE);
    assertThat(OutputRange.parse("-1, 1")).isEqualTo(OutputRange.MINUS_ONE_TO_ONE);
    assertThat(ImageFormat.parse("RAW")).isEqualTo(ImageFormat.RAW);
    assertThat(DeviceRequest.parse("gpu")).isEqualTo(DeviceRequest.GPU);
    assertThat(InputKind.parse("parquet")).isEqualTo(InputKind.PARQUET);
    assertThatThrownBy(() -> OutputRange.parse("0,255"))
        .hasMessageContaining("'0,255'")
        .hasMessageContaining("'0,1'");
  }

  @Test
  void rejectsValuesThatCannotDecodeNamingTheOption() {
    assertThatThrownBy(() -> LatentConvention.plain(0, 0, OutputRange.ZERO_TO_ONE))
        .hasMessageContaining("--scaling-factor 0.0");
    assertThatThrownBy(() -> LatentConvention.plain(1, Double.NaN, OutputRange.ZERO_TO_ONE))
        .hasMessageContaining("--shift-factor");
    assertThatThrownBy(
            () ->
                DecodeSettings.of(
                    LatentConvention.plain(1, 0, OutputRange.ZERO_TO_ONE),
                    ImageFormat.PNG,
                    -1,
                    DeviceRequest.CPU))
        .hasMessageContaining("--batch-size -1");
    assertThatThrownBy(
            () ->
                new LatentConvention(
                    "x", 1, 0, List.of(0.1, 0.2), List.of(1.0, 1.0), 4, OutputRange.ZERO_TO_ONE))
        .hasMessageContaining("2 values for 4 latent channels");
    assertThatThrownBy(() -> Tiling.parse("4", null, Tiling.Method.AUTO))
        .hasMessageContaining("--tile-size 4");
    assertThatThrownBy(() -> Tiling.parse("64", 40, Tiling.Method.AUTO))
        .hasMessageContaining("--tile-overlap 40");
    assertThatThrownBy(() -> Tiling.parse("big", null, Tiling.Method.AUTO))
        .hasMessageContaining("'big'");
    assertThatThrownBy(() -> Tiling.Method.parse("seamless"))
        .hasMessageContaining("--tile-mode 'seamless'")
        .hasMessageContaining("shared-statistics or blend");
    assertThatThrownBy(() -> LatentPacking.parse("127x96")).hasMessageContaining("even");
    assertThatThrownBy(() -> Precision.parse("fp8")).hasMessageContaining("fp32, fp16 or bf16");
  }

  @Test
  void autoPrecisionIsFp32OnCpuAndBf16OnGpuWhenItsExportExists() {
    assertThat(Precision.AUTO.resolve(false, Precision.BF16)).isEqualTo(Precision.FP32);
    assertThat(Precision.AUTO.resolve(true, null)).isEqualTo(Precision.FP32);
    assertThat(Precision.AUTO.resolve(true, Precision.BF16)).isEqualTo(Precision.BF16);
    assertThat(Precision.AUTO.resolve(true, Precision.FP16)).isEqualTo(Precision.FP16);
    assertThat(Precision.FP16.resolve(false, Precision.FP16)).isEqualTo(Precision.FP16);
  }

  @Test
  void tilingAndPackingSpellingsParse() {
    assertThat(Tiling.parse("auto", null, Tiling.Method.AUTO).mode()).isEqualTo(Tiling.Mode.AUTO);
    assertThat(Tiling.parse("64", null, Tiling.Method.AUTO).overlapFor(64)).isEqualTo(16);
    assertThat(Tiling.parse("64", 8, Tiling.Method.AUTO).overlapFor(64)).isEqualTo(8);
    assertThat(Tiling.Method.parse("shared")).isEqualTo(Tiling.Method.SHARED_STATISTICS);
    assertThat(Tiling.Method.parse("Blend")).isEqualTo(Tiling.Method.BLEND);
    assertThat(Tiling.parse("64", null, Tiling.Method.BLEND).sharesStatistics()).isFalse();
    assertThat(LatentPacking.parse("128x96")).isEqualTo(new LatentPacking(true, 128, 96));
    assertThat(LatentPacking.parse("square")).isEqualTo(new LatentPacking(true, 0, 0));
  }

  @Test
  void fileNamesCarryPartitionRunAndChunk() {
    String name = OutputLayout.partFileName(7, "20261122T021653Z-3f9a1c", 2);
    assertThat(name).isEqualTo("part-00007-20261122T021653Z-3f9a1c-c002.arrow");
    assertThat(OutputLayout.isPartFileOf(name, "20261122T021653Z-3f9a1c")).isTrue();
    assertThat(OutputLayout.isPartFileOf(name, "20261122T021653Z-000000")).isFalse();
    assertThat(OutputLayout.isHidden("_errors")).isTrue();
    assertThat(OutputLayout.isHidden(".part-1.arrow.crc")).isTrue();
  }
}
