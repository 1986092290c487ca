package io.latentdecode.udf.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.udf.testing.SharedData;
import io.latentdecode.udf.testing.TestDecoders;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Once a decoder is loaded, libtorch's own log is at the level TORCH_CPP_LOG_LEVEL names, or at
 * ERROR where it is unset (the launched jar's output is checked in JarLaunchIT).
 */
class LibtorchLogTest {
  private static final Map<String, Integer> LEVELS =
      Map.of("INFO", 0, "0", 0, "WARNING", 1, "1", 1, "ERROR", 2, "2", 2, "FATAL", 3, "3", 3);

  @Test
  void aLoadedDecoderLeavesLibtorchsLogAtTheLevelTheEnvironmentNamesOrErrors() throws Exception {
    TestDecoders.onCpu(SharedData.taef2Decoder());

    String named = System.getenv(LibtorchLog.VARIABLE);
    int expected =
        named == null
            ? LEVELS.get(LibtorchLog.DEFAULT_LEVEL)
            : LEVELS.getOrDefault(named.toUpperCase(Locale.ROOT), 1);
    assertThat(LibtorchLog.level()).as("libtorch's FLAGS_caffe2_log_level").isEqualTo(expected);
  }
}
