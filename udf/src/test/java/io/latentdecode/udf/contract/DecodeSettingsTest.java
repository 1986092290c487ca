package io.latentdecode.udf.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Pins every default of the decode settings, and what each rejects. */
class DecodeSettingsTest {
  @Test
  void defaultsAreTheStableDiffusionConventionsOnPngWithAutoDevice() {
    DecodeSettings d = DecodeSettings.defaults();
    assertThat(d.scalingFactor()).isEqualTo(1.0);
    assertThat(d.shiftFactor()).isEqualTo(0.0);
    assertThat(d.outputRange()).isEqualTo(OutputRange.MINUS_ONE_TO_ONE);
    assertThat(d.imageFormat()).isEqualTo(ImageFormat.PNG);
    assertThat(d.batchSize()).isEqualTo(4);
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
    assertThatThrownBy(
            () ->
                new DecodeSettings(
                    0, 0, OutputRange.ZERO_TO_ONE, ImageFormat.PNG, 1, DeviceRequest.CPU))
        .hasMessageContaining("--scaling-factor 0.0");
    assertThatThrownBy(
            () ->
                new DecodeSettings(
                    1, Double.NaN, OutputRange.ZERO_TO_ONE, ImageFormat.PNG, 1, DeviceRequest.CPU))
        .hasMessageContaining("--shift-factor");
    assertThatThrownBy(
            () ->
                new DecodeSettings(
                    1, 0, OutputRange.ZERO_TO_ONE, ImageFormat.PNG, 0, DeviceRequest.CPU))
        .hasMessageContaining("--batch-size 0");
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
