package io.latentdecode.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentdecode.job.JobSetupException;
import io.latentdecode.udf.contract.LatentConvention;
import io.latentdecode.udf.contract.OutputRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each built-in preset against the published values; preset files and overrides. */
class PresetsTest {
  private record Published(
      String name, double scaling, double shift, int channels, OutputRange range) {}

  private static final List<Published> PUBLISHED =
      List.of(
          new Published("sd15", 0.18215, 0, 4, OutputRange.MINUS_ONE_TO_ONE),
          new Published("sdxl", 0.13025, 0, 4, OutputRange.MINUS_ONE_TO_ONE),
          new Published("sd3", 1.5305, 0.0609, 16, OutputRange.MINUS_ONE_TO_ONE),
          new Published("flux1", 0.3611, 0.1159, 16, OutputRange.MINUS_ONE_TO_ONE),
          new Published("taesd", 1, 0, 4, OutputRange.ZERO_TO_ONE),
          new Published("taesdxl", 1, 0, 4, OutputRange.ZERO_TO_ONE),
          new Published("taesd3", 1, 0, 16, OutputRange.ZERO_TO_ONE),
          new Published("taef1", 1, 0, 16, OutputRange.ZERO_TO_ONE),
          new Published("taef2", 1, 0, 32, OutputRange.ZERO_TO_ONE));

  @Test
  void everyBuiltInPresetHasThePublishedNumbers() {
    assertThat(Presets.BUILT_IN)
        .containsExactlyElementsOf(PUBLISHED.stream().map(Published::name).toList());
    for (Published p : PUBLISHED) {
      LatentConvention c = Presets.load(p.name());
      assertThat(c.name()).isEqualTo(p.name());
      assertThat(c.scalingFactor()).as(p.name()).isEqualTo(p.scaling());
      assertThat(c.shiftFactor()).as(p.name()).isEqualTo(p.shift());
      assertThat(c.requiredChannels()).as(p.name()).isEqualTo(p.channels());
      assertThat(c.outputRange()).as(p.name()).isEqualTo(p.range());
      assertThat(c.hasChannelStatistics()).as(p.name()).isFalse();
    }
  }

  @Test
  void theJarsPresetsAreTheFilesInConf() throws Exception {
    Path conf = Path.of(System.getProperty("user.dir")).resolve("../conf/presets");
    for (String name : Presets.BUILT_IN) {
      assertThat(Presets.load(conf.resolve(name + ".json").toString()))
          .isEqualTo(Presets.load(name));
    }
  }

  @Test
  void aPresetFileWithChannelStatistics(@TempDir Path tmp) throws Exception {
    Path file =
        Files.writeString(
            tmp.resolve("my-vae.json"),
            "{\"name\": \"my-vae\", \"scaling_factor\": 0.5, \"latents_mean\": [0.1, -0.2],"
                + " \"latents_std\": [2.0, 4.0], \"latent_channels\": 2, \"output_range\": \"0,1\"}");
    LatentConvention c = Presets.load(file.toString());
    assertThat(c.channelScale(2)).containsExactly(4.0f, 8.0f);
    assertThat(c.channelOffset(2)).containsExactly(0.1f, -0.2f);
    assertThat(c.requiredChannels()).isEqualTo(2);
  }

  @Test
  void explicitFlagsOverrideThePreset() {
    LatentConvention c =
        LatentConventions.resolve(Optional.of("sdxl"), 0.5, null, OutputRange.ZERO_TO_ONE);
    assertThat(c.scalingFactor()).isEqualTo(0.5);
    assertThat(c.shiftFactor()).isZero();
    assertThat(c.outputRange()).isEqualTo(OutputRange.ZERO_TO_ONE);
    assertThat(c.requiredChannels()).isEqualTo(4);
  }

  @Test
  void badPresetsSayWhatIsWrong(@TempDir Path tmp) throws Exception {
    assertThatThrownBy(() -> Presets.load("sd5"))
        .isInstanceOf(JobSetupException.class)
        .hasMessageContaining("--preset sd5 is neither a built-in preset (sd15, sdxl");
    Path typo = Files.writeString(tmp.resolve("typo.json"), "{\"scaling\": 0.18}");
    assertThatThrownBy(() -> Presets.load(typo.toString()))
        .hasMessageContaining("unknown key 'scaling'");
    Path mismatch =
        Files.writeString(
            tmp.resolve("m.json"),
            "{\"scaling_factor\": 1, \"latents_mean\": [0, 0], \"latents_std\": [1]}");
    assertThatThrownBy(() -> Presets.load(mismatch.toString()))
        .hasMessageContaining("2 means but 1 standard deviations");
  }
}
